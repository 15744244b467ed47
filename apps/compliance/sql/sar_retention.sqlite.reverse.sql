-- statement
DROP TRIGGER IF EXISTS compliance_sar_filed_kept_update;
-- statement
DROP TRIGGER IF EXISTS compliance_sar_filed_kept_delete;
