-- Statistics read requests by creation time and interventions and
-- follow-ups by their day, for one structure or for the whole instance.
CREATE INDEX interventions_structure_time ON interventions(structure_id, occurred_at);
CREATE INDEX interventions_time ON interventions(occurred_at);
CREATE INDEX help_requests_time ON help_requests(created_at);
CREATE INDEX follow_ups_structure_due ON follow_ups(structure_id, due_date);
CREATE INDEX mandates_person_signed ON mandates(person_id, signed_at);
