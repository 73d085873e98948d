# Clarion: `make run` serves the demo site, `make test` runs the suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
ADDR ?= 127.0.0.1:8000

.PHONY: install install-site run test lint check messages bench bench-signing bench-surge bench-updates profile soak faults clean

# The site needs only its own dependencies; the tests add their tools (Playwright,
# hypothesis, schemathesis ...) on top. Each stamp is redone when pyproject.toml changes.
$(VENV)/.installed-site: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e "."
	touch $@

$(VENV)/.installed: $(VENV)/.installed-site
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

install-site: $(VENV)/.installed-site

install: $(VENV)/.installed

run: install-site
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo --address $(ADDR)
	$(BIN)/python manage.py ensure_admin
	@echo "Site: http://$(ADDR)/   Admin: http://$(ADDR)/admin/"
	$(BIN)/python manage.py runserver $(ADDR)

# One pytest process per core; the integration tests, which start their own servers and
# workers, run one after another in one of them (tests/conftest.py).
test: install
	$(BIN)/python -m pytest --numprocesses auto --dist loadgroup $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

# What CI checks besides the tests: the layers hold (the import contracts in pyproject.toml,
# see docs/architecture.md), migrations are complete, production settings are sound.
check: install lint
	$(BIN)/lint-imports --no-cache
	$(BIN)/python manage.py makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=cms.settings.production SECRET_KEY=check-only-$$(date +%s)-not-a-real-secret-key-0123456789abcdef \
		ALLOWED_HOSTS=campaigns.example.org CLARION_TRUSTED_PROXIES=1 $(BIN)/python manage.py check --deploy --fail-level WARNING

# After changing a text: refresh the translation catalogues in locale/ and compile them.
messages: install
	$(BIN)/python manage.py makemessages --all --no-obsolete --ignore '.venv/*' --ignore 'tests/*' --ignore 'bench/*'
	$(BIN)/python manage.py compilemessages --ignore '.venv/*'

# Benchmarks (not part of the test run): each script in bench/ writes its section of
# docs/benchmarks.md. Needs PostgreSQL, redis-server and wrk; BENCH_DATABASE_URL overrides
# the database server. Run them with the machine otherwise idle.
bench: install
	@status=0; for script in bench/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || status=1; done; exit $$status

# The action path against the independent ceiling, and what metrics and a readiness check
# cost, with the latency budget: rewrites their sections of docs/benchmarks.md in about
# ten minutes. Waits for the other heavy jobs (tests with servers, benchmarks) to finish.
bench-signing: install
	flock /tmp/clarion-heavy.lock env BENCH_ROUNDS=3 BENCH_SECONDS=8 $(BIN)/python bench/bench_signing.py
	flock /tmp/clarion-heavy.lock $(BIN)/python -m bench.bench_ops
	flock /tmp/clarion-heavy.lock env PROFILE_BUDGET=1 PROFILE_REQUESTS=200 $(BIN)/python bench/profile_signing.py

# A surge on one node: share-tagged views, counter polls and confirm-by-email actions raised
# step by step to the knee, 80% of it with surge mode off and on, a flood past the knee (503s
# with Retry-After, every action's row counted), each worker's sending rate, Redis commands
# per action and PostgreSQL's insert rate (pgbench): about 7 minutes. Needs wrk and pgbench.
bench-surge: install
	flock /tmp/clarion-heavy.lock $(BIN)/python bench/bench_surge.py

# An update to a million supporters (rows generated): time to queue, emails per second per
# worker process, its memory over the run. BENCH_UPDATE_SUPPORTERS lowers the count.
bench-updates: install
	flock /tmp/clarion-heavy.lock $(BIN)/python -m bench.bench_updates

# The latency budget of one action: CPU per step, in-process (a busy machine disturbs it
# less than the wall-clock benchmarks); writes its table to docs/benchmarks.md.
profile: install
	PROFILE_BUDGET=1 $(BIN)/python bench/profile_signing.py

# Load and soak (not part of the test run): 10 minutes of steady traffic against gunicorn,
# on loopback only. BENCH_LOAD_SECONDS and BENCH_LOAD_RATE change the length and the rate.
soak: install
	$(BIN)/python bench/bench_load.py

# Just the long fault-injection runs (worker SIGKILLs during letters and during an update,
# a 60 s broker outage), also part of `make test`; they need PostgreSQL and Redis, and
# write their figures to docs/benchmarks.md.
faults: install
	CLARION_FAULT_REPORT=1 $(BIN)/python -m pytest tests/integration/test_faults_worker.py tests/integration/test_faults_broker.py tests/integration/test_faults_updates.py $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3 media static
