-- A filed SAR is kept as filed until its retention ends: no UPDATE of its content, hash, filing, retention or the
-- facts it reports, no change of the FIU's acknowledgement once recorded, no DELETE (migration 0002).
CREATE OR REPLACE FUNCTION compliance_sar_keep_filed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.status = 'filed' THEN
            RAISE EXCEPTION 'SAR % is filed: it is kept until % (compliance_sar_filed_kept)', OLD.id, OLD.retain_until
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN OLD;
    END IF;
    IF OLD.status = 'filed' AND (
           NEW.status IS DISTINCT FROM OLD.status OR NEW.content IS DISTINCT FROM OLD.content
        OR NEW.content_sha256 IS DISTINCT FROM OLD.content_sha256 OR NEW.retain_until IS DISTINCT FROM OLD.retain_until
        OR NEW.filed_at IS DISTINCT FROM OLD.filed_at OR NEW.filed_by_id IS DISTINCT FROM OLD.filed_by_id
        OR NEW.case_id IS DISTINCT FROM OLD.case_id OR NEW.reason IS DISTINCT FROM OLD.reason
        OR NEW.action IS DISTINCT FROM OLD.action OR NEW.drafted_by_id IS DISTINCT FROM OLD.drafted_by_id
        OR NEW.approved_by_id IS DISTINCT FROM OLD.approved_by_id
        OR (OLD.fiu_reference <> '' AND (NEW.fiu_reference IS DISTINCT FROM OLD.fiu_reference
                                         OR NEW.acknowledged_at IS DISTINCT FROM OLD.acknowledged_at
                                         OR NEW.acknowledged_by_id IS DISTINCT FROM OLD.acknowledged_by_id))) THEN
        RAISE EXCEPTION 'SAR % is filed: its content, hash, filing and retention are kept unchanged (compliance_sar_filed_kept)', OLD.id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER compliance_sar_filed_kept BEFORE UPDATE OR DELETE ON compliance_suspiciousactivityreport
    FOR EACH ROW EXECUTE FUNCTION compliance_sar_keep_filed();
