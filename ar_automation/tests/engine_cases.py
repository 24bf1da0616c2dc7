"""The plain-Python engine tests (``test_engine_*.py``, written for pytest) for Odoo's test runner as well.

``odoo-bin --test-enable`` only runs ``unittest.TestCase`` classes found in the modules that an addon's
``tests/__init__.py`` imports. :func:`engine_cases` turns each engine test module into one ``BaseCase``
class (``test_engine_decide`` -> ``TestEngineDecide``) with one method per test function; a parametrized
function runs each of its cases as a sub-test. The classes carry ``__test__ = False`` so that pytest, which
already collects the functions themselves, does not run them twice.

What the engine tests use of pytest is supported: ``@pytest.mark.parametrize`` (stacked, with
``pytest.param`` and ``xfail`` marks), fixtures defined in the module (plain or ``yield``) and the built-in
``tmp_path``. Anything else raises at import, so that a new pytest feature is not silently skipped under Odoo.
"""

import importlib
import inspect
import itertools
import pkgutil
import tempfile
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import urlsplit

from _pytest.fixtures import FixtureFunctionDefinition
from _pytest.mark.structures import ParameterSet

from odoo.tests.common import HOST, BaseCase, _super_send


class EngineCase(BaseCase):
    """A database-free case: the engine tests' mock banks listen on the loopback interface."""

    __test__ = False

    @classmethod
    def _request_handler(cls, s, r, /, **kw):
        # Odoo's handler raises short time-outs to 10 s; the engine tests measure their own time-outs.
        if urlsplit(r.url).hostname in (HOST, "localhost"):
            return _super_send(s, r, **kw)
        return super()._request_handler(s, r, **kw)


def _marks(func, name):
    return [mark for mark in getattr(func, "pytestmark", []) if mark.name == name]


def _cases(func):
    """``(label, arguments, xfail mark or None)`` for each case of a (possibly parametrized) test function."""
    axes = []
    for mark in reversed(_marks(func, "parametrize")):
        names, values = mark.args[0], mark.args[1]
        names = [n.strip() for n in names.split(",")] if isinstance(names, str) else list(names)
        axis = []
        for number, value in enumerate(values):
            marks, label = (), None
            if isinstance(value, ParameterSet):
                value, marks, label = value.values, value.marks, value.id
                value = value if len(names) > 1 else value[0]
            args = dict(zip(names, value, strict=True)) if len(names) > 1 else {names[0]: value}
            xfail = next((m for m in marks if m.name == "xfail"), None)
            axis.append((label or f"{names[0]}{number}", args, xfail))
        axes.append(axis)
    for combination in itertools.product(*axes):
        args = {}
        for _label, part, _xfail in combination:
            args.update(part)
        xfail = next((x for _l, _a, x in combination if x), None)
        yield "-".join(label for label, _a, _x in combination), args, xfail


def _call(module, func, args, stack):
    """Call ``func`` with ``args`` and the fixtures it names; their teardown is pushed on ``stack``."""
    kwargs = dict(args)
    for name in inspect.signature(func).parameters:
        if name in kwargs:
            continue
        if name == "tmp_path":
            kwargs[name] = Path(stack.enter_context(tempfile.TemporaryDirectory()))
            continue
        fixture = getattr(module, name, None)
        if not isinstance(fixture, FixtureFunctionDefinition):
            raise TypeError(
                f"{module.__name__}.{func.__name__}: fixture {name!r} is not supported under Odoo"
            )
        value = _call(module, fixture._get_wrapped_function(), {}, stack)
        if inspect.isgenerator(value):
            generator, value = value, next(value)
            stack.callback(lambda g=generator: next(g, None))
        kwargs[name] = value
    return func(**kwargs)


def _run_case(case, module, func, args, xfail):
    with ExitStack() as stack:
        if not xfail:
            _call(module, func, args, stack)
            return
        try:
            _call(module, func, args, stack)
        except Exception:  # noqa: BLE001 - an expected failure is any failure
            return
        if xfail.kwargs.get("strict"):
            case.fail(f"XPASS(strict): {xfail.kwargs.get('reason', '')}")


def _method(module, func):
    cases = list(_cases(func))

    def test(self):
        if len(cases) == 1 and not cases[0][0]:
            _run_case(self, module, func, cases[0][1], cases[0][2])
            return
        for label, args, xfail in cases:
            with self.subTest(label):
                _run_case(self, module, func, args, xfail)

    test.__name__ = func.__name__
    test.__doc__ = func.__doc__
    return test


def _class_name(module):
    return "".join(part.capitalize() for part in module.__name__.rsplit(".", 1)[-1].split("_"))


def engine_cases(module_name):
    """``{class name: BaseCase class}`` for the ``test_engine_*.py`` modules next to module ``module_name``,
    as classes of that module. Use it in a ``tests/test_engines.py`` imported from ``tests/__init__.py``::

        globals().update(engine_cases(__name__))
    """
    package = importlib.import_module(module_name.rpartition(".")[0])
    modules = [
        importlib.import_module(f"{package.__name__}.{info.name}")
        for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda info: info.name)
        if info.name.startswith("test_engine_")
    ]
    classes = {}
    for module in modules:
        methods = {
            name: _method(module, func)
            for name, func in vars(module).items()
            if name.startswith("test_") and inspect.isfunction(func) and func.__module__ == module.__name__
        }
        for name, func in vars(module).items():
            if name.startswith("test_") and inspect.isfunction(func):
                unknown = {m.name for m in getattr(func, "pytestmark", [])} - {"parametrize"}
                if unknown:
                    raise TypeError(
                        f"{module.__name__}.{name}: marks {sorted(unknown)} are not supported under Odoo"
                    )
        name = _class_name(module)
        classes[name] = type(name, (EngineCase,), {"__module__": module_name, "__test__": False, **methods})
    return classes
