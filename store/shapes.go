package store

// Statement shapes. A statement over n rows ("VALUES (…), (…)", "IN (?, ?,
// …)") has a text of its own for every n, and both drivers cache prepared
// statements by text, per connection: pgx up to 512 of them, each held with
// its text, and PostgreSQL a prepared statement per backend. Pages of up to
// 1,000 events made hundreds of texts per connection, and the server's
// memory grew with them. So the store's bulk statements come in few shapes:
// rows are written in chunks whose sizes are powers of two, and IN lists
// are padded to a power of two (repeating their last element, which
// changes nothing). At most a dozen texts per statement remain, each worth
// caching.

// chunks splits n rows into runs whose lengths are powers of two, at most
// max (itself a power of two), largest first: 77 → 64, 8, 4, 1.
func chunks(n, max int) []int {
	var out []int
	for n > 0 {
		size := max
		for size > n {
			size /= 2
		}
		out = append(out, size)
		n -= size
	}
	return out
}

// eachChunk calls fn with consecutive runs of xs whose lengths are powers
// of two, at most max.
func eachChunk[T any](xs []T, max int, fn func([]T) error) error {
	for _, size := range chunks(len(xs), max) {
		if err := fn(xs[:size]); err != nil {
			return err
		}
		xs = xs[size:]
	}
	return nil
}

// padded is xs grown to the next power of two by repeating its last
// element, for an IN list (nil stays nil).
func padded[T any](xs []T) []T {
	if len(xs) == 0 {
		return xs
	}
	size := 1
	for size < len(xs) {
		size *= 2
	}
	out := make([]T, size)
	copy(out, xs)
	for i := len(xs); i < size; i++ {
		out[i] = xs[len(xs)-1]
	}
	return out
}
