-- PostgreSQL's 00009 announces every deal change to the serve processes'
-- caches. SQLite has no notifications: a serve process polls PRAGMA
-- data_version instead (store/dealcache.go), which needs no schema. This
-- file keeps the two directories' numbers in step.

-- +goose Up
SELECT 1;

-- +goose Down
SELECT 1;
