"""`python -m artdemo.bench` refuses a section it doesn't have with a usage message, not a stack trace."""

import pytest

from artdemo.bench import core


def test_an_unknown_section_is_named_with_the_sections_there_are(capsys):
    with pytest.raises(SystemExit) as stop:
        core.main(["--only", "warm,machine"])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "no section 'machine'" in err and all(name in err for name in core.SECTIONS)
    assert "Traceback" not in err
