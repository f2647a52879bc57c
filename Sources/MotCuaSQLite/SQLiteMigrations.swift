import GRDB

/// The schema, as named forward-only migrations in SQL. Never edit a migration that has shipped: add one.
enum SQLiteMigrations {
  static var migrator: DatabaseMigrator {
    var migrator = DatabaseMigrator()
    migrator.registerMigration("2026-11-27-foundation") { db in
      try db.execute(
        sql: """
          CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
          CREATE TABLE services (
            id TEXT PRIMARY KEY, position INTEGER NOT NULL, name_vi TEXT NOT NULL, name_en TEXT NOT NULL,
            field TEXT NOT NULL, prefix TEXT NOT NULL UNIQUE, typical_service_seconds INTEGER NOT NULL,
            demand_weight INTEGER NOT NULL);
          CREATE TABLE branches (
            id TEXT PRIMARY KEY, position INTEGER NOT NULL, name TEXT NOT NULL, district TEXT NOT NULL,
            kind TEXT NOT NULL, address TEXT NOT NULL, latitude REAL NOT NULL, longitude REAL NOT NULL,
            population INTEGER NOT NULL, population_is_estimate INTEGER NOT NULL, opening_hours TEXT NOT NULL);
          CREATE TABLE counters (
            id TEXT PRIMARY KEY, position INTEGER NOT NULL, branch_id TEXT NOT NULL REFERENCES branches(id),
            name TEXT NOT NULL, service_ids TEXT NOT NULL, roster TEXT NOT NULL);
          CREATE TABLE holidays (
            date TEXT PRIMARY KEY, name_vi TEXT NOT NULL, name_en TEXT NOT NULL, provisional INTEGER NOT NULL);

          CREATE TABLE number_sequences (
            branch_id TEXT NOT NULL, service_id TEXT NOT NULL, day TEXT NOT NULL, last_sequence INTEGER NOT NULL,
            PRIMARY KEY (branch_id, service_id, day));
          CREATE TABLE tickets (
            id TEXT PRIMARY KEY, branch_id TEXT NOT NULL REFERENCES branches(id),
            service_id TEXT NOT NULL REFERENCES services(id), original_service_id TEXT NOT NULL,
            day TEXT NOT NULL, sequence INTEGER NOT NULL, number TEXT NOT NULL, priority INTEGER NOT NULL,
            call_rank INTEGER NOT NULL, state TEXT NOT NULL, issued_at INTEGER NOT NULL, called_at INTEGER,
            serving_started_at INTEGER, completed_at INTEGER, counter_id TEXT, recall_count INTEGER NOT NULL,
            tracking_code TEXT NOT NULL, lease_id TEXT, clock_skew_seconds INTEGER,
            UNIQUE (branch_id, day, number),
            UNIQUE (branch_id, original_service_id, day, sequence));
          CREATE INDEX tickets_queue ON tickets (branch_id, day, state, service_id, call_rank, issued_at, id);
          CREATE INDEX tickets_active ON tickets (state, day);

          CREATE TABLE counter_states (
            counter_id TEXT PRIMARY KEY REFERENCES counters(id), branch_id TEXT NOT NULL,
            is_open INTEGER NOT NULL, service_ids TEXT NOT NULL, current_ticket_id TEXT,
            current_number TEXT, updated_at INTEGER NOT NULL);

          CREATE TABLE branch_sequences (branch_id TEXT PRIMARY KEY, last_sequence INTEGER NOT NULL);
          CREATE TABLE events (
            branch_id TEXT NOT NULL, sequence INTEGER NOT NULL, kind TEXT NOT NULL, at INTEGER NOT NULL,
            actor TEXT NOT NULL, ticket_id TEXT, ticket TEXT, counter TEXT, from_service_id TEXT,
            waiting_after TEXT NOT NULL,
            PRIMARY KEY (branch_id, sequence));
          CREATE INDEX events_ticket ON events (ticket_id);

          CREATE TABLE idempotency (
            principal TEXT NOT NULL, key TEXT NOT NULL, fingerprint TEXT NOT NULL, ticket_id TEXT,
            lease_id TEXT, created_at INTEGER NOT NULL,
            PRIMARY KEY (principal, key));

          CREATE TABLE leases (
            id TEXT PRIMARY KEY, principal TEXT NOT NULL, branch_id TEXT NOT NULL, service_id TEXT NOT NULL,
            day TEXT NOT NULL, first_sequence INTEGER NOT NULL, last_sequence INTEGER NOT NULL,
            created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL);
          CREATE INDEX leases_day ON leases (branch_id, day);

          CREATE TABLE tokens (
            id TEXT PRIMARY KEY, token_hash TEXT NOT NULL UNIQUE, role TEXT NOT NULL, branch_id TEXT,
            counter_id TEXT, label TEXT NOT NULL, created_at INTEGER NOT NULL, revoked_at INTEGER);

          CREATE TABLE feedback (
            ticket_id TEXT PRIMARY KEY REFERENCES tickets(id), score INTEGER NOT NULL, comment TEXT NOT NULL,
            at INTEGER NOT NULL);
          """
      )
    }
    migrator.registerMigration("2026-11-27-appointments") { db in
      try db.execute(
        sql: """
          ALTER TABLE tickets ADD COLUMN due_at INTEGER;
          CREATE TABLE slots (
            id TEXT PRIMARY KEY, branch_id TEXT NOT NULL, service_id TEXT NOT NULL, day TEXT NOT NULL,
            start_at INTEGER NOT NULL, end_at INTEGER NOT NULL, capacity INTEGER NOT NULL, taken INTEGER NOT NULL,
            CHECK (taken >= 0));
          CREATE TABLE bookings (
            id TEXT PRIMARY KEY, code TEXT NOT NULL UNIQUE, slot_id TEXT NOT NULL REFERENCES slots(id),
            branch_id TEXT NOT NULL, service_id TEXT NOT NULL, field TEXT NOT NULL, day TEXT NOT NULL,
            start_at INTEGER NOT NULL, end_at INTEGER NOT NULL, citizen_hash TEXT NOT NULL, phone_hash TEXT NOT NULL,
            phone_last_digits TEXT NOT NULL, address_key TEXT, state TEXT NOT NULL, hold_expires_at INTEGER,
            ticket_id TEXT, principal TEXT NOT NULL, created_at INTEGER NOT NULL, created_day TEXT NOT NULL,
            updated_at INTEGER NOT NULL);
          CREATE INDEX bookings_citizen ON bookings (citizen_hash, day);
          CREATE INDEX bookings_phone ON bookings (phone_hash);
          CREATE INDEX bookings_address ON bookings (address_key, created_day);
          CREATE INDEX bookings_holds ON bookings (state, hold_expires_at);
          CREATE INDEX bookings_start ON bookings (state, start_at);
          CREATE TABLE counter_fairness (
            counter_id TEXT PRIMARY KEY, consecutive_appointment_calls INTEGER NOT NULL);
          """
      )
    }
    migrator.registerMigration("2026-11-27-predictions") { db in
      try db.execute(
        sql: """
          ALTER TABLE tickets ADD COLUMN predicted_mean_seconds INTEGER;
          ALTER TABLE tickets ADD COLUMN predicted_p50_seconds INTEGER;
          ALTER TABLE tickets ADD COLUMN predicted_p90_seconds INTEGER;
          CREATE INDEX tickets_report ON tickets (branch_id, day);
          """
      )
    }
    migrator.registerMigration("2026-11-27-staff") { db in
      try db.execute(
        sql: """
          CREATE TABLE staff (
            id TEXT PRIMARY KEY, position INTEGER NOT NULL, name TEXT NOT NULL, branch_id TEXT NOT NULL,
            counter_id TEXT NOT NULL, skills TEXT NOT NULL);
          CREATE TABLE staff_plans (
            id TEXT PRIMARY KEY, created_at INTEGER NOT NULL, staffing_version INTEGER NOT NULL,
            moves TEXT NOT NULL, body BLOB NOT NULL, applied_at INTEGER, applied_by TEXT);
          CREATE TABLE staff_assignments (
            id INTEGER PRIMARY KEY AUTOINCREMENT, plan_id TEXT NOT NULL REFERENCES staff_plans(id),
            staff_id TEXT NOT NULL, from_branch TEXT NOT NULL, to_branch TEXT NOT NULL, services TEXT NOT NULL,
            starts_at INTEGER NOT NULL, ends_at INTEGER NOT NULL);
          CREATE INDEX staff_assignments_period ON staff_assignments (ends_at, starts_at);
          CREATE TABLE audit (
            id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, principal_id TEXT NOT NULL,
            action TEXT NOT NULL, detail TEXT NOT NULL);
          """
      )
    }
    migrator.registerMigration("2026-11-28-waiting-queue") { db in
      try db.execute(
        sql: """
          -- The queue index also holds due_at: choosing the next ticket (ranks depend on due_at) reads the index
          -- alone, not every waiting ticket's row.
          DROP INDEX tickets_queue;
          CREATE INDEX tickets_waiting ON tickets (branch_id, day, state, service_id, call_rank, issued_at, id, due_at);
          -- Waiting tickets per branch, day and service, kept by triggers: every event records the counts after
          -- it, and counting the index range grew with the queue.
          CREATE TABLE waiting_counts (
            branch_id TEXT NOT NULL, day TEXT NOT NULL, service_id TEXT NOT NULL, n INTEGER NOT NULL,
            PRIMARY KEY (branch_id, day, service_id)) WITHOUT ROWID;
          INSERT INTO waiting_counts (branch_id, day, service_id, n)
            SELECT branch_id, day, service_id, COUNT(*) FROM tickets WHERE state = 'WAITING'
            GROUP BY branch_id, day, service_id;
          CREATE TRIGGER waiting_counts_insert AFTER INSERT ON tickets WHEN NEW.state = 'WAITING' BEGIN
            INSERT INTO waiting_counts (branch_id, day, service_id, n) VALUES (NEW.branch_id, NEW.day, NEW.service_id, 1)
              ON CONFLICT (branch_id, day, service_id) DO UPDATE SET n = n + 1;
          END;
          CREATE TRIGGER waiting_counts_update AFTER UPDATE OF state, service_id, branch_id, day ON tickets
            WHEN OLD.state = 'WAITING' OR NEW.state = 'WAITING' BEGIN
            UPDATE waiting_counts SET n = n - 1
              WHERE OLD.state = 'WAITING' AND branch_id = OLD.branch_id AND day = OLD.day AND service_id = OLD.service_id;
            INSERT INTO waiting_counts (branch_id, day, service_id, n)
              SELECT NEW.branch_id, NEW.day, NEW.service_id, 1 WHERE NEW.state = 'WAITING'
              ON CONFLICT (branch_id, day, service_id) DO UPDATE SET n = n + 1;
          END;
          CREATE TRIGGER waiting_counts_delete AFTER DELETE ON tickets WHEN OLD.state = 'WAITING' BEGIN
            UPDATE waiting_counts SET n = n - 1
              WHERE branch_id = OLD.branch_id AND day = OLD.day AND service_id = OLD.service_id;
          END;
          """
      )
    }
    migrator.registerMigration("2026-11-28-clustered-tables") { db in
      // Tables keyed by text become WITHOUT ROWID: the row lives in its primary key's b-tree, so a write finds
      // and changes one b-tree, not a key index and then the table (an issue wrote 15 b-trees, now 12). The events
      // table keeps its rowid: its rows hold a ticket's JSON, too large to repeat in a key b-tree's interior
      // pages. `tickets_report` (branch, day) is dropped: the unique (branch, day, number) index serves it.
      // GRDB runs this with foreign keys off and checks them at the end.
      try db.execute(
        sql: """
          CREATE TABLE tickets_clustered (
            id TEXT PRIMARY KEY, branch_id TEXT NOT NULL REFERENCES branches(id),
            service_id TEXT NOT NULL REFERENCES services(id), original_service_id TEXT NOT NULL,
            day TEXT NOT NULL, sequence INTEGER NOT NULL, number TEXT NOT NULL, priority INTEGER NOT NULL,
            call_rank INTEGER NOT NULL, state TEXT NOT NULL, issued_at INTEGER NOT NULL, called_at INTEGER,
            serving_started_at INTEGER, completed_at INTEGER, counter_id TEXT, recall_count INTEGER NOT NULL,
            tracking_code TEXT NOT NULL, lease_id TEXT, clock_skew_seconds INTEGER, due_at INTEGER,
            predicted_mean_seconds INTEGER, predicted_p50_seconds INTEGER, predicted_p90_seconds INTEGER,
            UNIQUE (branch_id, day, number),
            UNIQUE (branch_id, original_service_id, day, sequence)) WITHOUT ROWID;
          INSERT INTO tickets_clustered SELECT id, branch_id, service_id, original_service_id, day, sequence, number,
            priority, call_rank, state, issued_at, called_at, serving_started_at, completed_at, counter_id,
            recall_count, tracking_code, lease_id, clock_skew_seconds, due_at, predicted_mean_seconds,
            predicted_p50_seconds, predicted_p90_seconds FROM tickets;
          DROP TABLE tickets;
          ALTER TABLE tickets_clustered RENAME TO tickets;
          CREATE INDEX tickets_waiting ON tickets (branch_id, day, state, service_id, call_rank, issued_at, id, due_at);
          CREATE INDEX tickets_active ON tickets (state, day);
          CREATE TRIGGER waiting_counts_insert AFTER INSERT ON tickets WHEN NEW.state = 'WAITING' BEGIN
            INSERT INTO waiting_counts (branch_id, day, service_id, n) VALUES (NEW.branch_id, NEW.day, NEW.service_id, 1)
              ON CONFLICT (branch_id, day, service_id) DO UPDATE SET n = n + 1;
          END;
          CREATE TRIGGER waiting_counts_update AFTER UPDATE OF state, service_id, branch_id, day ON tickets
            WHEN OLD.state = 'WAITING' OR NEW.state = 'WAITING' BEGIN
            UPDATE waiting_counts SET n = n - 1
              WHERE OLD.state = 'WAITING' AND branch_id = OLD.branch_id AND day = OLD.day AND service_id = OLD.service_id;
            INSERT INTO waiting_counts (branch_id, day, service_id, n)
              SELECT NEW.branch_id, NEW.day, NEW.service_id, 1 WHERE NEW.state = 'WAITING'
              ON CONFLICT (branch_id, day, service_id) DO UPDATE SET n = n + 1;
          END;
          CREATE TRIGGER waiting_counts_delete AFTER DELETE ON tickets WHEN OLD.state = 'WAITING' BEGIN
            UPDATE waiting_counts SET n = n - 1
              WHERE branch_id = OLD.branch_id AND day = OLD.day AND service_id = OLD.service_id;
          END;

          CREATE TABLE idempotency_clustered (
            principal TEXT NOT NULL, key TEXT NOT NULL, fingerprint TEXT NOT NULL, ticket_id TEXT,
            lease_id TEXT, created_at INTEGER NOT NULL,
            PRIMARY KEY (principal, key)) WITHOUT ROWID;
          INSERT INTO idempotency_clustered SELECT principal, key, fingerprint, ticket_id, lease_id, created_at
            FROM idempotency;
          DROP TABLE idempotency;
          ALTER TABLE idempotency_clustered RENAME TO idempotency;

          CREATE TABLE number_sequences_clustered (
            branch_id TEXT NOT NULL, service_id TEXT NOT NULL, day TEXT NOT NULL, last_sequence INTEGER NOT NULL,
            PRIMARY KEY (branch_id, service_id, day)) WITHOUT ROWID;
          INSERT INTO number_sequences_clustered SELECT branch_id, service_id, day, last_sequence FROM number_sequences;
          DROP TABLE number_sequences;
          ALTER TABLE number_sequences_clustered RENAME TO number_sequences;

          CREATE TABLE branch_sequences_clustered (
            branch_id TEXT PRIMARY KEY, last_sequence INTEGER NOT NULL) WITHOUT ROWID;
          INSERT INTO branch_sequences_clustered SELECT branch_id, last_sequence FROM branch_sequences;
          DROP TABLE branch_sequences;
          ALTER TABLE branch_sequences_clustered RENAME TO branch_sequences;
          """
      )
    }
    migrator.registerMigration("2026-11-28-due-appointments") { db in
      // CallNext takes each service's first waiting ticket from `tickets_waiting` in calling order, and the first
      // due appointment from this index, which holds only the waiting appointments, in check-in order (with every
      // column the statement reads, `state` too, so no row is read): a seek per service and a walk over the
      // branch's waiting appointments instead of sorting every waiting ticket of the counter's services.
      try db.execute(
        sql: """
          CREATE INDEX tickets_due_appointments ON tickets (branch_id, day, issued_at, id, service_id, due_at, state)
            WHERE state = 'WAITING' AND due_at IS NOT NULL;
          """
      )
    }
    return migrator
  }
}
