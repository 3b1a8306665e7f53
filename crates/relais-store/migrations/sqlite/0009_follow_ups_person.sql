-- The person page lists the person's follow-ups.
CREATE INDEX follow_ups_person ON follow_ups(person_id);
