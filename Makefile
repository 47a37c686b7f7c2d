# The two commands a newcomer needs:
#   make demo   set up and analyse a sample video into out/demo/
#   make test   set up (incl. Chromium and Xvfb) and run the test suite
.PHONY: demo test setup lint bench

SAMPLE ?= sample_videos/sls_side_knee_heel.mp4

setup:
	bash scripts/setup.sh

demo: setup
	.venv/bin/squatcheck analyze $(SAMPLE) -o out/demo

test:
	bash scripts/setup.sh --system
	.venv/bin/python -m pytest -q

lint:
	.venv/bin/ruff check src tests bench

bench:
	@cat bench/README.md
