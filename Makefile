.PHONY: setup test demo bench chaos lint

setup:
	./scripts/setup

test:
	./scripts/test

demo:
	./scripts/demo

bench:
	./scripts/setup && .venv/bin/python -m bench

chaos:
	./scripts/setup && .venv/bin/python -m bench chaos

lint:
	.venv/bin/ruff check .
