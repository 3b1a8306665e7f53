-- The home page lists the open requests whose deadline comes soon.
CREATE INDEX help_requests_deadline ON help_requests(structure_id, deadline);
-- Planner statistics for the new index, so that lists ordered by date
-- keep their own index.
ANALYZE help_requests;
