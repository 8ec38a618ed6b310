-- A CRM record links to one deal, so a CRM ID belongs to one deal. The
-- change path checked it, and checked it again in the storing transaction,
-- for chat only: two replicas told two events of one new record at once
-- each made a deal of it (a tester: 3 records of 50). The database now
-- refuses a second deal with a CRM ID, whoever writes (a replica, an older
-- binary during a rolling upgrade), as it does a second external id.
--
-- Deals already holding one CRM ID together keep it on one deal, never
-- deleting any: the one a CRM record is linked to (the record's events go
-- there; moved, the record would be sent the other deal's older values),
-- else the oldest. The others lose the CRM ID (column and body, their
-- version bumped so that no change read before is stored over it), and
-- their history says which deal holds it and what to do; `cosellbot
-- migrate`, serve's log and `cosellbot doctor` list them while they are
-- open. Down keeps them so: the IDs taken off are not given back.

-- +goose Up
CREATE TEMP TABLE crm_id_taken_off ON COMMIT DROP AS
SELECT id, crm_id, keeper FROM (
  SELECT id, crm_id, first_value(id) OVER w AS keeper, row_number() OVER w AS n
  FROM (
    SELECT d.id, d.crm_id,
           EXISTS (SELECT 1 FROM external_sync x WHERE x.deal_id = d.id AND x.source <> 'partnercenter' AND x.gone_at IS NULL) AS linked
    FROM deals d WHERE d.crm_id <> ''
  ) held
  WINDOW w AS (PARTITION BY crm_id ORDER BY linked DESC, id)
) ranked
WHERE n > 1;
INSERT INTO audit_events (at, actor, subject_type, subject_id, action, detail)
SELECT now(), 'cosellbot', 'deal', id::text, 'crm id taken off',
       'CRM ID ' || crm_id || ' taken off this deal: deal #' || keeper || ' holds it too, and a CRM record links to one deal. ' ||
       'If this deal duplicates #' || keeper || ', close it: deal error ' || id || ' reason="duplicate of #' || keeper || '"; ' ||
       'else give it its own record''s ID: deal edit ' || id || ' crm_id=…'
FROM crm_id_taken_off;
-- The pair is cut out of the body's text, which is otherwise kept as
-- written (crm_id never comes first: the customer does).
UPDATE deals SET crm_id = '', body = regexp_replace(body, ',"crm_id":"([^"\\]|\\.)*"', ''), version = version + 1
  WHERE id IN (SELECT id FROM crm_id_taken_off);
CREATE UNIQUE INDEX deals_crm_id_unique ON deals (crm_id) WHERE crm_id <> '';

-- +goose Down
DROP INDEX deals_crm_id_unique;
