import Foundation

/// The schema, as named forward-only migrations in SQL. Never edit a migration that has shipped: add one.
///
/// Statements are separated by a semicolon at the end of a line (a function body keeps its semicolons inside
/// one line), since the extended query protocol runs one statement at a time.
enum PostgresMigrations {
  static let all: [(name: String, sql: String)] = [
    ("2026-12-01-foundation", foundation),
    // The unique (branch_id, day, number) index serves reports by branch and day: one index fewer per ticket.
    ("2026-12-02-no-report-index", "DROP INDEX tickets_report"),
    ("2026-12-02-waiting-counts", waitingCounts),
  ]

  /// Waiting tickets per branch, day and service, kept by a trigger (as SQLite's migration
  /// `2026-11-28-waiting-queue` does): every event records the counts after it, and counting the tickets read
  /// every waiting ticket's row (to check it is visible), so each event cost more as the queue grew. An update
  /// that leaves a waiting ticket waiting in the same queue takes one off and puts one back. A transfer between
  /// queues locks the two count rows in key order, so two opposite transfers cannot deadlock. The backfill cannot
  /// miss a ticket another server writes meanwhile: `tickets` is locked against writes until the trigger exists.
  static let waitingCounts = """
    LOCK TABLE tickets IN SHARE ROW EXCLUSIVE MODE;
    CREATE TABLE waiting_counts (
      branch_id TEXT NOT NULL, day TEXT NOT NULL, service_id TEXT NOT NULL, n BIGINT NOT NULL,
      PRIMARY KEY (branch_id, day, service_id));
    INSERT INTO waiting_counts (branch_id, day, service_id, n)
      SELECT branch_id, day, service_id, COUNT(*) FROM tickets WHERE state = 'WAITING' GROUP BY branch_id, day, service_id;
    CREATE FUNCTION motcua_count_waiting() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF TG_OP = 'UPDATE' AND OLD.state = 'WAITING' AND NEW.state = 'WAITING' AND (NEW.branch_id, NEW.day, NEW.service_id) < (OLD.branch_id, OLD.day, OLD.service_id) THEN INSERT INTO waiting_counts (branch_id, day, service_id, n) VALUES (NEW.branch_id, NEW.day, NEW.service_id, 1) ON CONFLICT (branch_id, day, service_id) DO UPDATE SET n = waiting_counts.n + 1; UPDATE waiting_counts SET n = n - 1 WHERE branch_id = OLD.branch_id AND day = OLD.day AND service_id = OLD.service_id; RETURN NULL; END IF; IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.state = 'WAITING' THEN UPDATE waiting_counts SET n = n - 1 WHERE branch_id = OLD.branch_id AND day = OLD.day AND service_id = OLD.service_id; END IF; IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.state = 'WAITING' THEN INSERT INTO waiting_counts (branch_id, day, service_id, n) VALUES (NEW.branch_id, NEW.day, NEW.service_id, 1) ON CONFLICT (branch_id, day, service_id) DO UPDATE SET n = waiting_counts.n + 1; END IF; RETURN NULL; END $$;
    CREATE TRIGGER tickets_count_waiting AFTER INSERT OR UPDATE OF state, service_id, branch_id, day OR DELETE ON tickets
      FOR EACH ROW EXECUTE FUNCTION motcua_count_waiting();
    """

  /// The statements of a migration.
  static func statements(_ sql: String) -> [String] {
    sql.components(separatedBy: ";\n").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
      .filter { !$0.isEmpty }
  }

  /// SQLite's four migrations merged: milliseconds in BIGINT, flags in BOOLEAN, JSON in TEXT, the plan body in
  /// BYTEA; plus the triggers that tell other servers what was committed.
  static let foundation = """
    CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE services (
      id TEXT PRIMARY KEY, position BIGINT NOT NULL, name_vi TEXT NOT NULL, name_en TEXT NOT NULL,
      field TEXT NOT NULL, prefix TEXT NOT NULL UNIQUE, typical_service_seconds BIGINT NOT NULL,
      demand_weight BIGINT NOT NULL);
    CREATE TABLE branches (
      id TEXT PRIMARY KEY, position BIGINT NOT NULL, name TEXT NOT NULL, district TEXT NOT NULL,
      kind TEXT NOT NULL, address TEXT NOT NULL, latitude DOUBLE PRECISION NOT NULL,
      longitude DOUBLE PRECISION NOT NULL, population BIGINT NOT NULL, population_is_estimate BOOLEAN NOT NULL,
      opening_hours TEXT NOT NULL);
    CREATE TABLE counters (
      id TEXT PRIMARY KEY, position BIGINT NOT NULL, branch_id TEXT NOT NULL REFERENCES branches(id),
      name TEXT NOT NULL, service_ids TEXT NOT NULL, roster TEXT NOT NULL);
    CREATE TABLE holidays (
      date TEXT PRIMARY KEY, name_vi TEXT NOT NULL, name_en TEXT NOT NULL, provisional BOOLEAN NOT NULL);

    CREATE TABLE number_sequences (
      branch_id TEXT NOT NULL, service_id TEXT NOT NULL, day TEXT NOT NULL, last_sequence BIGINT NOT NULL,
      PRIMARY KEY (branch_id, service_id, day));
    CREATE TABLE tickets (
      id TEXT PRIMARY KEY, branch_id TEXT NOT NULL REFERENCES branches(id),
      service_id TEXT NOT NULL REFERENCES services(id), original_service_id TEXT NOT NULL,
      day TEXT NOT NULL, sequence BIGINT NOT NULL, number TEXT NOT NULL, priority BIGINT NOT NULL,
      call_rank BIGINT NOT NULL, state TEXT NOT NULL, issued_at BIGINT NOT NULL, called_at BIGINT,
      serving_started_at BIGINT, completed_at BIGINT, counter_id TEXT, recall_count BIGINT NOT NULL,
      tracking_code TEXT NOT NULL, lease_id TEXT, clock_skew_seconds BIGINT, due_at BIGINT,
      predicted_mean_seconds BIGINT, predicted_p50_seconds BIGINT, predicted_p90_seconds BIGINT,
      UNIQUE (branch_id, day, number),
      UNIQUE (branch_id, original_service_id, day, sequence));
    CREATE INDEX tickets_queue ON tickets (branch_id, day, state, service_id, call_rank, issued_at, id);
    CREATE INDEX tickets_active ON tickets (state, day);
    CREATE INDEX tickets_report ON tickets (branch_id, day);

    CREATE TABLE counter_states (
      counter_id TEXT PRIMARY KEY REFERENCES counters(id), branch_id TEXT NOT NULL,
      is_open BOOLEAN NOT NULL, service_ids TEXT NOT NULL, current_ticket_id TEXT,
      current_number TEXT, updated_at BIGINT NOT NULL);

    CREATE TABLE branch_sequences (branch_id TEXT PRIMARY KEY, last_sequence BIGINT NOT NULL);
    CREATE TABLE events (
      branch_id TEXT NOT NULL, sequence BIGINT NOT NULL, kind TEXT NOT NULL, at BIGINT NOT NULL,
      actor TEXT NOT NULL, ticket_id TEXT, ticket TEXT, counter TEXT, from_service_id TEXT,
      waiting_after TEXT NOT NULL,
      PRIMARY KEY (branch_id, sequence));
    CREATE INDEX events_ticket ON events (ticket_id);

    CREATE TABLE idempotency (
      principal TEXT NOT NULL, key TEXT NOT NULL, fingerprint TEXT NOT NULL, ticket_id TEXT,
      lease_id TEXT, created_at BIGINT NOT NULL,
      PRIMARY KEY (principal, key));

    CREATE TABLE leases (
      id TEXT PRIMARY KEY, principal TEXT NOT NULL, branch_id TEXT NOT NULL, service_id TEXT NOT NULL,
      day TEXT NOT NULL, first_sequence BIGINT NOT NULL, last_sequence BIGINT NOT NULL,
      created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL);
    CREATE INDEX leases_day ON leases (branch_id, day);

    CREATE TABLE tokens (
      id TEXT PRIMARY KEY, token_hash TEXT NOT NULL UNIQUE, role TEXT NOT NULL, branch_id TEXT,
      counter_id TEXT, label TEXT NOT NULL, created_at BIGINT NOT NULL, revoked_at BIGINT);

    CREATE TABLE feedback (
      ticket_id TEXT PRIMARY KEY REFERENCES tickets(id), score BIGINT NOT NULL, comment TEXT NOT NULL,
      at BIGINT NOT NULL);

    CREATE TABLE slots (
      id TEXT PRIMARY KEY, branch_id TEXT NOT NULL, service_id TEXT NOT NULL, day TEXT NOT NULL,
      start_at BIGINT NOT NULL, end_at BIGINT NOT NULL, capacity BIGINT NOT NULL, taken BIGINT NOT NULL,
      CHECK (taken >= 0));
    CREATE TABLE bookings (
      id TEXT PRIMARY KEY, code TEXT NOT NULL UNIQUE, slot_id TEXT NOT NULL REFERENCES slots(id),
      branch_id TEXT NOT NULL, service_id TEXT NOT NULL, field TEXT NOT NULL, day TEXT NOT NULL,
      start_at BIGINT NOT NULL, end_at BIGINT NOT NULL, citizen_hash TEXT NOT NULL, phone_hash TEXT NOT NULL,
      phone_last_digits TEXT NOT NULL, address_key TEXT, state TEXT NOT NULL, hold_expires_at BIGINT,
      ticket_id TEXT, principal TEXT NOT NULL, created_at BIGINT NOT NULL, created_day TEXT NOT NULL,
      updated_at BIGINT NOT NULL);
    CREATE INDEX bookings_citizen ON bookings (citizen_hash, day);
    CREATE INDEX bookings_phone ON bookings (phone_hash);
    CREATE INDEX bookings_address ON bookings (address_key, created_day);
    CREATE INDEX bookings_holds ON bookings (state, hold_expires_at);
    CREATE INDEX bookings_start ON bookings (state, start_at);
    CREATE TABLE counter_fairness (
      counter_id TEXT PRIMARY KEY, consecutive_appointment_calls BIGINT NOT NULL);

    CREATE TABLE staff (
      id TEXT PRIMARY KEY, position BIGINT NOT NULL, name TEXT NOT NULL, branch_id TEXT NOT NULL,
      counter_id TEXT NOT NULL, skills TEXT NOT NULL);
    CREATE TABLE staff_plans (
      id TEXT PRIMARY KEY, created_at BIGINT NOT NULL, staffing_version BIGINT NOT NULL,
      moves TEXT NOT NULL, body BYTEA NOT NULL, applied_at BIGINT, applied_by TEXT);
    CREATE TABLE staff_assignments (
      id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, plan_id TEXT NOT NULL REFERENCES staff_plans(id),
      staff_id TEXT NOT NULL, from_branch TEXT NOT NULL, to_branch TEXT NOT NULL, services TEXT NOT NULL,
      starts_at BIGINT NOT NULL, ends_at BIGINT NOT NULL);
    CREATE INDEX staff_assignments_period ON staff_assignments (ends_at, starts_at);
    CREATE TABLE audit (
      id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, at BIGINT NOT NULL, principal_id TEXT NOT NULL,
      action TEXT NOT NULL, detail TEXT NOT NULL);

    CREATE FUNCTION motcua_notify_event() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_notify('motcua_events', NEW.branch_id || ':' || NEW.sequence); RETURN NULL; END $$;
    CREATE TRIGGER events_notify AFTER INSERT ON events FOR EACH ROW EXECUTE FUNCTION motcua_notify_event();
    CREATE FUNCTION motcua_notify_staffing() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_notify('motcua_staffing', ''); RETURN NULL; END $$;
    CREATE TRIGGER staff_assignments_notify AFTER INSERT ON staff_assignments FOR EACH STATEMENT
      EXECUTE FUNCTION motcua_notify_staffing();
    """
}
