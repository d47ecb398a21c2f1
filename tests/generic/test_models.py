"""Finding the MetaData behind every supported kind of models object."""

from __future__ import annotations

import textwrap
import uuid

import pytest

from sqlgen.errors import SqlgenError
from sqlgen.models import load_metadata

SOURCES = {
    "metadata": """
        from sqlalchemy import MetaData, Table, Column, Integer
        metadata = MetaData()
        Table("thing", metadata, Column("id", Integer, primary_key=True))
        """,
    "declarative_base": """
        from sqlalchemy import Column, Integer
        from sqlalchemy.orm import declarative_base
        Base = declarative_base()
        class Thing(Base):
            __tablename__ = "thing"
            id = Column(Integer, primary_key=True)
        """,
    "declarative_2": """
        from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
        class Base(DeclarativeBase):
            pass
        class Thing(Base):
            __tablename__ = "thing"
            id: Mapped[int] = mapped_column(primary_key=True)
        """,
    "flask": """
        from flask_sqlalchemy import SQLAlchemy
        db = SQLAlchemy()
        class Thing(db.Model):
            __tablename__ = "thing"
            id = db.Column(db.Integer, primary_key=True)
        """,
    "sqlmodel": """
        from sqlmodel import Field, SQLModel
        class Thing{suffix}(SQLModel, table=True):
            __tablename__ = "thing_{suffix}"
            id: int | None = Field(default=None, primary_key=True)
        """,
}
ATTRIBUTES = {"metadata": "metadata", "declarative_base": "Base", "declarative_2": "Base", "flask": "db",
              "sqlmodel": "SQLModel"}


def write_module(tmp_path, source: str) -> str:
    name = f"models_{uuid.uuid4().hex[:8]}"
    (tmp_path / f"{name}.py").write_text(textwrap.dedent(source).replace("{suffix}", name[-8:]))
    return name


@pytest.mark.parametrize("kind", sorted(SOURCES))
def test_every_kind_of_models_object_gives_its_metadata(kind, tmp_path):
    name = write_module(tmp_path, SOURCES[kind])
    metadata = load_metadata(f"{name}:{ATTRIBUTES[kind]}", tmp_path)
    expected = f"thing_{name[-8:]}" if kind == "sqlmodel" else "thing"
    assert expected in metadata.tables


def test_without_attr_the_single_metadata_is_used(tmp_path):
    name = write_module(tmp_path, SOURCES["declarative_2"])
    assert "thing" in load_metadata(name, tmp_path).tables


def test_import_error_is_the_modules_own_short_error(tmp_path):
    name = write_module(tmp_path, """
        import sqlalchemy
        x = 1
        raise RuntimeError("settings not loaded")
        """)
    with pytest.raises(SqlgenError) as caught:
        load_metadata(f"{name}:Base", tmp_path)
    message = str(caught.value)
    assert message.startswith(f"cannot import models module '{name}': RuntimeError: settings not loaded")
    assert f"{name}.py, line 4" in message
    assert "\n" not in message


def test_syntax_error_names_file_and_line(tmp_path):
    name = write_module(tmp_path, "x = (\n")
    with pytest.raises(SqlgenError, match=rf"SyntaxError: .*{name}.py, line \d"):
        load_metadata(f"{name}:Base", tmp_path)


def test_missing_module(tmp_path):
    with pytest.raises(SqlgenError, match=r"cannot import models module 'no_such_models': no module named"):
        load_metadata("no_such_models:Base", tmp_path)


def test_missing_dependency_inside_the_module_is_reported_as_such(tmp_path):
    name = write_module(tmp_path, "import not_installed_pkg_xyz\n")
    with pytest.raises(SqlgenError, match="ModuleNotFoundError: No module named 'not_installed_pkg_xyz'"):
        load_metadata(f"{name}:Base", tmp_path)


def test_missing_attribute_lists_candidates(tmp_path):
    name = write_module(tmp_path, textwrap.dedent(SOURCES["declarative_2"]) + "\nfrom sqlalchemy import MetaData\nother = MetaData()\n")
    with pytest.raises(SqlgenError) as caught:
        load_metadata(f"{name}:Bsae", tmp_path)
    assert str(caught.value) == (
        f"module '{name}' has no attribute 'Bsae'; candidates: Base (declarative base), other (MetaData)"
    )


def test_attribute_of_the_wrong_kind(tmp_path):
    name = write_module(tmp_path, textwrap.dedent(SOURCES["metadata"]) + "\nsettings = {}\n")
    with pytest.raises(SqlgenError, match=r"is a dict, not a MetaData.*candidates: metadata \(MetaData\)"):
        load_metadata(f"{name}:settings", tmp_path)


def test_malformed_spec(tmp_path):
    with pytest.raises(SqlgenError, match="not of the form package.module:attr"):
        load_metadata("app.models:", tmp_path)


@pytest.mark.parametrize("source, spec", [
    ("""
        from flask_sqlalchemy import SQLAlchemy
        db = SQLAlchemy()
        class Thing(db.Model):
            id = db.Column(db.Integer, primary_key=True)
        class Entry(db.Model):
            __bind_key__ = "logs"
            id = db.Column(db.Integer, primary_key=True)
        """, ":db"),
    ("""
        from flask_sqlalchemy import SQLAlchemy
        db = SQLAlchemy()
        class Entry(db.Model):
            __bind_key__ = "logs"
            id = db.Column(db.Integer, primary_key=True)
        """, ""),
    ("""
        from sqlalchemy import MetaData, Table, Column, Integer
        metadata = MetaData()
        Table("thing", metadata, Column("id", Integer, primary_key=True))
        Table("entry", metadata, Column("id", Integer, primary_key=True), info={"bind_key": "logs"})
        """, ":metadata"),  # Flask-SQLAlchemy 2 marks a bind's tables in the one MetaData
])
def test_models_in_flask_sqlalchemy_binds_are_refused_never_left_out(tmp_path, source, spec):
    name = f"bound_{uuid.uuid4().hex[:8]}"
    (tmp_path / f"{name}.py").write_text(textwrap.dedent(source))
    with pytest.raises(SqlgenError, match=r"has models in Flask-SQLAlchemy binds \(logs\) besides the default "
                                          r"database; sqlgen migrates one database per migrations folder"):
        load_metadata(f"{name}{spec}", tmp_path)
