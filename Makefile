# The two commands a newcomer needs are `make run` and `make test`.
.PHONY: run test test-postgres fuzz check bench bench-reads fmt schemas

# Every register in one process on 127.0.0.1:8000, with embedded SQLite files in ./data.
run:
	cargo run --release -p klantinteracties -- serve

# Unit tests and the black-box API tests on SQLite, in one process and again with the three
# registers as separate apps behind the gateway; on PostgreSQL too when TEST_DATABASE_URL names
# a server (e.g. postgres://postgres@127.0.0.1:5432/postgres).
test:
	cargo test --workspace --all-targets
	TEST_TOPOLOGY=gateway cargo test -p acceptance --test api

# On PostgreSQL: the API tests (the outage tests among them) and the end-to-end test of the
# binary, then the API tests again with the three registers behind the gateway.
# The outage tests run on their own, printing what they measured (time to 503, to recovery).
test-postgres:
	TEST_DATABASE_URL=$${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres} cargo test -p acceptance -p klantinteracties -- --skip outage::
	TEST_DATABASE_URL=$${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres} cargo test -p acceptance --test api outage:: -- --nocapture
	TEST_DATABASE_URL=$${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres} TEST_TOPOLOGY=gateway cargo test -p acceptance --test api

# schemathesis against the three registers on PostgreSQL behind the gateway; fails on any 5xx.
# CI runs it for two minutes; FUZZ_SECONDS sets the budget here (default half an hour).
fuzz:
	tests/fuzz/fuzz.sh $${FUZZ_SECONDS:-1800}

check:
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings

bench:
	tests/bench/bench.sh

# The klantcontacten read path on the three registers on PostgreSQL behind the gateway;
# BENCH_BASELINE=path/to/an/older/binary measures it side by side with the current build.
bench-reads:
	tests/bench/reads.sh

fmt:
	cargo fmt --all

# The OpenAPI documents as served, kept in schemas/ (a test fails when they drift).
schemas:
	cargo build -q -p klantinteracties
	for r in relatiebeheer klantcontacten klanttaak; do \
	  target/debug/klantinteracties openapi --register $$r > schemas/$$r.json; done
	target/debug/klantinteracties openapi > schemas/klantinteracties.json
	target/debug/klantinteracties openapi --contactgegevens > schemas/contactgegevens.json
