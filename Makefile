# The project's two entry points: `make run` and `make test`. Both set up .venv on first use.
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTHON_CANDIDATES := python3.12 python3.11 python3.10 python3

.PHONY: install run test lint typecheck unit fuzz bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@py=""; for c in $(PYTHON_CANDIDATES); do \
	  if command -v $$c >/dev/null 2>&1 && $$c -c 'import sys; sys.exit(0 if (3, 10) <= sys.version_info[:2] <= (3, 12) else 1)' 2>/dev/null; then py=$$c; break; fi; \
	done; \
	if [ -z "$$py" ]; then echo "followup needs Python 3.10, 3.11 or 3.12 (durable_rules does not run on 3.13): install one of them and run make again." >&2; exit 1; fi; \
	if [ ! -x $(BIN)/python ]; then echo "Setting up $(VENV) with $$py (the first time takes a minute)..."; $$py -m venv $(VENV); fi
	@$(BIN)/python -m pip install --quiet --upgrade pip > $(VENV)/install.log 2>&1 \
	  && $(BIN)/python -m pip install --quiet -e '.[test]' >> $(VENV)/install.log 2>&1 \
	  || { cat $(VENV)/install.log; echo "make: installing the project into $(VENV) failed (log above)" >&2; exit 1; }
	@touch $(STAMP)

# Starts the web app and prints its address (followup ask is the same in a terminal).
run: install
	$(BIN)/followup serve

test: install lint typecheck unit

lint:
	$(BIN)/ruff check engine explain followup tests bench
	$(BIN)/ruff format --check engine explain followup tests bench

typecheck:
	$(BIN)/mypy engine explain followup

unit:
	$(BIN)/pytest -q

# The fuzzing properties of tests/test_fuzz.py at length: 100,000 generated inputs in all (set
# FOLLOWUP_FUZZ_EXAMPLES for another count), a new random seed each run, in two processes
# side by side; each prints its statistics (inputs run, time) at the end.
FUZZ = FOLLOWUP_FUZZ=fuzz $(BIN)/pytest -q tests/test_fuzz.py -p no:cacheprovider --hypothesis-show-statistics
fuzz: install
	@start=$$(date +%s); \
	$(FUZZ) -k "facts or command" > $(VENV)/fuzz-1.log 2>&1 & one=$$!; \
	$(FUZZ) -k "not (facts or command)" > $(VENV)/fuzz-2.log 2>&1 & two=$$!; \
	wait $$one; first=$$?; wait $$two; second=$$?; \
	cat $(VENV)/fuzz-1.log $(VENV)/fuzz-2.log; \
	echo "make fuzz: $$(( $$(date +%s) - start )) s"; \
	test $$first -eq 0 && test $$second -eq 0

bench: install
	$(BIN)/python -m bench.advise
	$(BIN)/python -m bench.explain
	$(BIN)/python -m bench.audit
	$(BIN)/python -m bench.audit_stores
	$(BIN)/python -m bench.rules
	$(BIN)/python -m bench.serve
	$(BIN)/python -m bench.startup

clean:
	rm -rf $(VENV) build *.egg-info
