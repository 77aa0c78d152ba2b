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


def test_the_crowd_test_takes_its_fronts_sizes_and_rounds():
    from artdemo.bench import load

    options = load.arguments().parse_args(["--fronts", "streamlit", "--visitors", "1,8", "--rounds", "6"])
    assert (options.fronts, options.visitors, options.rounds) == (("streamlit",), (1, 8), 6)
    defaults = load.arguments().parse_args([])
    assert (defaults.fronts, defaults.visitors, defaults.rounds) == (load.FRONTS, load.VISITORS, load.ROUNDS)


@pytest.mark.parametrize("argv, words", [
    (["--fronts", "flask"], "unknown front end flask"),
    (["--visitors", "1,eight"], "crowd sizes such as 1,8"),
    (["--visitors", "0,8"], "at least 1"),
    (["--rounds", "0"], "at least 1"),
])
def test_the_crowd_test_refuses_bad_options_with_a_usage_message(capsys, argv, words):
    from artdemo.bench import load

    with pytest.raises(SystemExit) as stop:
        load.main(argv)
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err
