DROP TRIGGER IF EXISTS compliance_sar_filed_kept ON compliance_suspiciousactivityreport;
DROP FUNCTION IF EXISTS compliance_sar_keep_filed();
