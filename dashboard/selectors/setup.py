"""The open setup-checklist items of the compounds a community or street oversees.

seed: 联席会议议事规则 第一条 (the community party organization leads), 评议监督考核制度
第一条 (the street organizes). A fixed number of queries whatever the number of
compounds (the checklist reads its facts for all compounds at once).
"""

from __future__ import annotations

from dataclasses import dataclass

from huashan.directory.models import Community, Compound, Street

from .base import group_compounds


@dataclass(frozen=True)
class SetupRow:
    compound: Compound
    open: int


@dataclass(frozen=True)
class SetupSummary:
    rows: list[SetupRow]

    @property
    def open(self) -> int:
        return sum(r.open for r in self.rows)


def setup_open_items(*, place: Community | Street) -> SetupSummary:
    """Per compound of ``place``, how many setup-checklist items are open."""
    from provisioning.checklist import compound_checklists

    if isinstance(place, Community):
        compounds = list(group_compounds(community=place))
    else:
        compounds = list(group_compounds(street=place))
    lists = compound_checklists(compounds)
    return SetupSummary(
        rows=[SetupRow(c, sum(1 for i in lists[c.pk] if not i.ok)) for c in compounds]
    )
