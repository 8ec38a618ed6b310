-- A CRM ID belongs to one deal: the database refuses a second (see the
-- PostgreSQL file), and deals already holding one together keep it on one
-- deal, never deleting any: the one a CRM record is linked to, else the
-- oldest. The others lose it, with a history line saying which deal holds
-- it and what to do; `cosellbot migrate`, serve's log and `cosellbot
-- doctor` list them while they are open. Down keeps them so.

-- +goose Up
CREATE TEMP TABLE crm_id_taken_off AS
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
SELECT strftime('%Y-%m-%d %H:%M:%f+00:00', 'now'), 'cosellbot', 'deal', CAST(id AS TEXT), 'crm id taken off',
       'CRM ID ' || crm_id || ' taken off this deal: deal #' || keeper || ' holds it too, and a CRM record links to one deal. ' ||
       'If this deal duplicates #' || keeper || ', close it: deal error ' || id || ' reason="duplicate of #' || keeper || '"; ' ||
       'else give it its own record''s ID: deal edit ' || id || ' crm_id=…'
FROM crm_id_taken_off;
UPDATE deals SET crm_id = '', body = json_remove(body, '$.crm_id'), version = version + 1
  WHERE id IN (SELECT id FROM crm_id_taken_off);
DROP TABLE crm_id_taken_off;
CREATE UNIQUE INDEX deals_crm_id_unique ON deals (crm_id) WHERE crm_id <> '';

-- +goose Down
DROP INDEX deals_crm_id_unique;
