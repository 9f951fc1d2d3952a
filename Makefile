# The project's two entry points: `make run` and `make test`. Both set up .venv on first use.
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTHON_CANDIDATES := python3.12 python3.11 python3.10 python3

.PHONY: install run test lint typecheck unit bench clean

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

bench: install
	$(BIN)/python -m bench.advise
	$(BIN)/python -m bench.explain
	$(BIN)/python -m bench.audit
	$(BIN)/python -m bench.rules
	$(BIN)/python -m bench.serve

clean:
	rm -rf $(VENV) build *.egg-info
