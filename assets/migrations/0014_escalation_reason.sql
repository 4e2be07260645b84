-- Why: an escalation or transfer kept only where it went; the reason and who sent it lived
-- in the event log alone, so the customer's record and exports said just "escalated (to
-- technical)". Cost: two nullable columns; earlier escalations get their reason back from
-- the event log ("technical: the reason"), who sent them stays unknown.
ALTER TABLE contacts ADD COLUMN escalation_reason TEXT;
ALTER TABLE contacts ADD COLUMN escalated_by TEXT;

UPDATE contacts SET escalation_reason = (
    SELECT substr(e.detail, length(contacts.escalated_to) + 3) FROM contact_events e
    WHERE e.contact_id = contacts.id AND e.kind IN ('escalate', 'transfer')
      AND e.detail LIKE contacts.escalated_to || ': %'
    ORDER BY e.at DESC, e.id DESC LIMIT 1
)
WHERE status IN ('escalated', 'transferred') AND escalated_to IS NOT NULL;
