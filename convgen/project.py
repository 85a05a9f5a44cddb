"""A project folder — `clauses/`, `templates/`, `instances/` — and what it compiles once.

Every entry point (a file, a folder, a table, the web application) opens the project once:
the clause library, the models and their Word frames are loaded and compiled on first use and
kept for every document that follows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from convgen.errors import PROJECT_FOLDERS, ProjectNotFoundError
from convgen.load.clauses import Library, load_library
from convgen.load.instances import Instance, ModelSource, load_instance
from convgen.load.models import Model
from convgen.render.render_docx import CompiledFrame, compile_frame

CHECK_CONFIG = ".convgen-check.yaml"


def require_project(root: Path, *folders: str, option: str = "--root") -> None:
    """Raise `ProjectNotFoundError` unless `root` has each of `folders` (« clauses »,
    « templates », « instances »); with no `folders`, unless it has at least one of them.

    Commands call it first, so that outside a project the error says where convgen looked
    and what `--root` does, instead of a missing file deep in the stage that needed it.
    """
    if not folders:
        if not any((root / name).is_dir() for name in PROJECT_FOLDERS):
            raise ProjectNotFoundError(root, list(PROJECT_FOLDERS), option, any_of=True)
        return
    missing = [name for name in folders if not (root / name).is_dir()]
    if missing:
        raise ProjectNotFoundError(root, missing, option)


@dataclass
class Project:
    """A project folder: `clauses/`, `templates/`, `instances/`; caches what it compiles once."""

    root: Path = field(default_factory=Path)
    _library: Library | None = None
    _models: ModelSource | None = None
    _frames: dict[str, CompiledFrame] = field(default_factory=dict)

    @property
    def clauses_dir(self) -> Path:
        return self.root / "clauses"

    @property
    def templates_dir(self) -> Path:
        return self.root / "templates"

    @property
    def instances_dir(self) -> Path:
        return self.root / "instances"

    @property
    def check_config(self) -> Path | None:
        """`.convgen-check.yaml` (accepted findings) if the project has one."""
        config = self.root / CHECK_CONFIG
        return config if config.is_file() else None

    @property
    def library(self) -> Library:
        if self._library is None:
            self._library = load_library(self.clauses_dir)
        return self._library

    @property
    def models(self) -> ModelSource:
        if self._models is None:
            self._models = ModelSource(self.templates_dir, self.library)
        return self._models

    def model(self, name: str) -> Model:
        return self.models.model(name)

    def frame(self, model: Model) -> CompiledFrame:
        if model.name not in self._frames:
            self._frames[model.name] = compile_frame(model.frame_path)
        return self._frames[model.name]

    def load_instance(self, path: Path) -> tuple[Instance, Model]:
        return load_instance(path, self.library, self.models)

    def needs_layout(self, model: Model) -> bool:
        """Whether documents of `model` state page numbers (page count, sommaire)."""
        return self.frame(model).uses_page_count or model.sommaire
