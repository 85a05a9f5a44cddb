"""Controls a model asks for on top of its schema (`controles: [ami]` in `modele.yaml`).

A schema checks each value alone; a control checks what values say together (an AMI's dates in
order, its weights totalling 100 %). Each control is a function
`(instance, model, library) -> list[Problem]`, run by `convgen.load.instances.load_instance` after
validation, so that `convgen build` and `convgen check` report its problems like any other
input error (`file:line: champ: message`, exit code 2, nothing written).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from convgen.errors import Problem
    from convgen.load.clauses import Library
    from convgen.load.instances import Instance
    from convgen.load.models import Model

    Control = Callable[[Instance, Model, Library], list[Problem]]

# name in modele.yaml → "module:function"; imported only when a model uses it
CONTROLS: dict[str, str] = {
    "ami": "convgen.load.ami:check_ami",
}


def run_controls(instance: Instance, model: Model, library: Library) -> list[Problem]:
    """Every problem found by the controls `model` declares, in the order it declares them."""
    problems: list[Problem] = []
    for name in model.controles:
        module_name, function = CONTROLS[name].split(":")
        control: Control = getattr(importlib.import_module(module_name), function)
        problems.extend(control(instance, model, library))
    return problems
