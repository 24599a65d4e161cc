"""The README's promises: its test command is the one CI runs; its commands exist."""

from neuroseg.testing import ROOT


def readme_commands() -> list[str]:
    lines = (ROOT / "README.md").read_text().splitlines()
    return [line.strip() for line in lines if line.strip().startswith(("pip install", "apt-get update"))]


def test_ci_runs_the_readmes_test_command():
    test_command = next(c for c in readme_commands() if "pytest" in c)
    assert test_command in (ROOT / ".ci" / "run").read_text()


def test_readme_starts_the_app_on_the_bundled_data():
    run_command = next(c for c in readme_commands() if "streamlit run app.py" in c)
    assert run_command == "pip install -r requirements.txt && streamlit run app.py"


def test_readmes_example_is_the_default_views_code(sample):
    from neuroseg.analysis.segment import segment
    from neuroseg.core.features import Scope
    from neuroseg.export.reproduce import segment_code
    from neuroseg.models import FitOptions

    stack, _ = sample
    script = segment_code(segment(stack, Scope("slice", "z", 47), 3, 12345, FitOptions(mode="exact"))).script
    readme = (ROOT / "README.md").read_text()
    assert "```python\n" + script + "```" in readme
