.PHONY: help setup demo test lint wheels clean

help:
	@echo "make demo   set up what is missing, build or reuse the demo database, serve http://localhost:8069"
	@echo "make test   set up what is missing, build fresh test databases, run every test"
	@echo "make lint   ruff and pylint-odoo"
	@echo "make wheels the addons' wheels and the suite's meta-package into dist/ (bin/build-wheels)"
	@echo "make setup  only the set-up (virtualenv, PostgreSQL cluster, Odoo configuration)"
	@echo "make clean  stop the database server and remove .local, .venv and dist"

setup:
	@bin/setup

demo:
	@bin/demo

test:
	@bin/run-tests

lint:
	@bin/lint

wheels:
	@bin/build-wheels

clean:
	-@bin/pg stop 2>/dev/null
	rm -rf .local .venv dist
