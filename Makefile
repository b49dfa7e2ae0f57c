.PHONY: setup test demo bench lint

setup:
	./scripts/setup

test:
	./scripts/test

demo:
	./scripts/demo

bench:
	./scripts/setup && .venv/bin/python -m bench

lint:
	.venv/bin/ruff check .
