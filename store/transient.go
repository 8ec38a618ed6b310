package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
	sqlite "modernc.org/sqlite"
)

// Transient reports whether err is the database's or the network's passing
// trouble rather than a verdict on the work itself: the same operation may
// succeed if tried again later, so a caller should retry it with backoff
// instead of recording it as failed for good.
//
// Transient are: a connection that could not be made, was reset or closed
// (pgx connect errors, broken pipes, unexpected EOF, driver.ErrBadConn,
// SQLSTATE class 08); serialization failures and deadlocks (class 40:
// 40001, 40P01); a server shutting down or not yet up (57P01 admin
// shutdown, 57P02 crash shutdown, 57P03 cannot connect now); too many
// connections (53300) and a lock not available (55P03); a deadline or a
// cancellation (the caller's patience ran out, not the work's fault); and
// SQLite's SQLITE_BUSY and SQLITE_LOCKED (with their extended codes).
//
// Anything else (a constraint violation, bad input such as invalid UTF-8, a
// missing row, a syntax error) is permanent and Transient answers false.
func Transient(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return true
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return transientSQLState(pg.Code)
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff { // the primary result code of an extended one
		case sqliteBusy, sqliteLocked:
			return true
		}
		return false
	}
	var connect *pgconn.ConnectError
	if errors.As(err, &connect) || pgconn.Timeout(err) || pgconn.SafeToRetry(err) {
		return true
	}
	if errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		errors.Is(err, net.ErrClosed) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.EPIPE) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true // any network failure on the way to the database
	}
	// pgx reports a connection it closed after a fatal error without a
	// typed error (e.g. "conn closed", "failed to deallocate cached statement").
	msg := err.Error()
	return strings.Contains(msg, "conn closed") || strings.Contains(msg, "connection reset by peer") ||
		strings.Contains(msg, "broken pipe") || strings.Contains(msg, "database is locked")
}

// SQLite primary result codes (sqlite3.h).
const (
	sqliteBusy   = 5
	sqliteLocked = 6
)

// transientSQLState classifies a PostgreSQL SQLSTATE (Appendix A of the
// PostgreSQL manual).
func transientSQLState(code string) bool {
	switch {
	case strings.HasPrefix(code, "08"): // connection exception
		return true
	case code == "40001", code == "40P01": // serialization failure, deadlock detected
		return true
	case code == "57P01", code == "57P02", code == "57P03": // admin shutdown, crash shutdown, cannot connect now
		return true
	case code == "53300": // too many connections
		return true
	case code == "55P03": // lock not available (lock_timeout, NOWAIT)
		return true
	}
	return false
}
