"""Demo data (pt-BR, São Paulo): the lab's own projects with journeys, partnerships, products,
manual entries for offline activity, yearly targets, and last year published."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from labkit import Period
from labkit.models import Person
from labkit.plugins import Plugins

from labkit_indicators.engine import Engine, PublishError
from labkit_indicators.models import (
    EntryAudit,
    ManualEntry,
    Milestone,
    Partnership,
    Product,
    Project,
    ProjectMember,
    Target,
)

log = logging.getLogger("labkit.indicators")


async def create(settings: Any) -> None:
    if await Project.exists():
        return
    today = date.today()
    last, this = today.year - 1, today.year
    admin = await Person.filter(role="admin").first()

    def d(year: int, month: int, day: int = 1) -> date:
        return min(date(year, month, day), today)

    projects = [
        ("Ônibus em Tempo Real na Periferia", "challenge", "delivered", d(last, 2, 10), d(last, 11, 30),
         "Painel e alertas por SMS com a posição dos ônibus nas linhas que atendem o extremo sul, feito com a SPTrans "
         "a partir do desafio de mobilidade de 2024.", [9, 11], [
             (d(last, 2, 10), "conception", "Desafio de mobilidade escolhe a proposta vencedora"),
             (d(last, 4, 2), "research", "Entrevistas com 40 passageiros no Grajaú e em Parelheiros"),
             (d(last, 6, 15), "prototype", "Primeiro protótipo com dados abertos da SPTrans"),
             (d(last, 9, 1), "pilot", "Piloto em 12 linhas com 800 pessoas cadastradas"),
             (d(last, 11, 30), "delivery", "Serviço entregue à Secretaria de Mobilidade e Trânsito")]),
        ("Zeladoria Participativa", "own", "in-progress", d(last, 8, 1), None,
         "Mapa colaborativo para moradores apontarem problemas de zeladoria e acompanharem a resposta das "
         "subprefeituras.", [11, 16], [
             (d(last, 8, 1), "conception", "Oficina de cocriação com três subprefeituras"),
             (d(this, 1, 20), "prototype", "Protótipo navegável testado com agentes de zeladoria"),
             (d(this, 3, 5), "pilot", "Piloto na Subprefeitura da Sé")]),
        ("Residência Dados Abertos da Saúde", "residency", "in-progress", d(this, 1, 15), None,
         "Residência de seis meses com pesquisadoras da USP para publicar indicadores de atenção básica como dados "
         "abertos.", [3, 17], [
             (d(this, 1, 15), "conception", "Início da residência com duas pesquisadoras"),
             (d(this, 3, 1), "research", "Inventário das bases da atenção básica")]),
        ("Guia de Compras Públicas de Inovação", "own", "delivered", d(last, 3, 1), d(last, 7, 31),
         "Guia prático para servidores contratarem soluções inovadoras com segurança jurídica.", [16], [
             (d(last, 3, 1), "conception", "Grupo de trabalho com a Procuradoria"),
             (d(last, 7, 31), "delivery", "Guia publicado e apresentado a 120 servidores")]),
    ]
    created: list[Project] = []
    for title, origin, status, start, end, text, sdgs, steps in projects:
        project = await Project.create(
            title=title, origin=origin, status=status, starts_on=start, ends_on=end, description=text, sdgs=sdgs,
            partner_organisations=[{"ref": None, "name": "SPTrans" if "Ônibus" in title else "Prefeitura de São Paulo"}],
            links=[{"label": "Repositório", "url": "https://github.com/prefeiturasp"}])
        for when, stage, step in steps:
            await Milestone.create(project=project, happened_on=when, stage=stage, text=step)
        if admin is not None:
            await ProjectMember.create(project=project, person=admin, role="coordenação")
        created.append(project)

    partnerships = [
        ("SPTrans", "public-body", "cooperation", d(last, 2, 20), [created[0]]),
        ("Universidade de São Paulo (USP)", "university", "memorandum", d(this, 1, 10), [created[2]]),
        ("Coletivo Periferia Conectada", "collective", "informal", d(last, 5, 3), [created[0], created[1]]),
        ("Instituto Cidades Abertas", "ngo", "grant", d(last, 9, 12), [created[1]]),
        ("Casa do Hacker", "collective", "informal", d(this, 2, 2), []),
    ]
    for name, kind, agreement, start, related in partnerships:
        record = await Partnership.create(organisation_name=name, partner_kind=kind, agreement_type=agreement,
                                          starts_on=start, description=f"Parceria com {name}.")
        if related:
            await record.projects.add(*related)

    products = [
        ("Painel Ônibus Periferia", "service", "AGPL-3.0", created[0], d(last, 11, 30)),
        ("Protótipo de alertas por SMS", "prototype", "MIT", created[0], d(last, 6, 15)),
        ("Posições dos ônibus (dados abertos)", "open-dataset", "ODbL-1.0", created[0], d(last, 10, 1)),
        ("Guia de Compras Públicas de Inovação", "guide", "CC-BY-4.0", created[3], d(last, 7, 31)),
        ("Curso de compras de inovação para servidores", "training", "CC-BY-4.0", created[3], d(last, 8, 20)),
        ("Mapa de Zeladoria (protótipo)", "prototype", "AGPL-3.0", created[1], d(this, 1, 20)),
        ("Relatório do piloto na Sé", "report", "CC-BY-4.0", created[1], None),
    ]
    for title, kind, licence, project, delivered in products:
        await Product.create(title=title, product_type=kind, licence=licence, project=project, delivered_on=delivered,
                             url="https://github.com/prefeiturasp")

    entries = [
        (f"{last}-04", 35, "workshop", "Oficina de mobilidade no CEU Parelheiros: 35 pessoas pela lista de presença."),
        (f"{last}-08", 62, "hearing", "Audiência pública da zeladoria na Sé: contagem na entrada."),
        (f"{this}-01", 18, "workshop", "Oficina de dados abertos com agentes de saúde (lista de presença)."),
    ]
    for period, value, kind, reason in entries:
        entry = await ManualEntry.create(period=period, indicator="participants", value=value, kind=kind,
                                         reason=reason, created_by=admin)
        await EntryAudit.create(entry=entry, action="created", actor=admin, actor_name=admin.name if admin else "",
                                changes={"value": [None, value], "period": [None, period], "reason": [None, reason]})

    for year, values in ((last, (4, 5, 300, 6)), (this, (5, 6, 500, 8))):
        for name, value in zip(("projects", "partnerships", "participants", "products"), values):
            await Target.create(year=year, indicator=name, value=value)

    engine = Engine(settings, Plugins(settings))
    try:
        await engine.publish(Period.parse(str(last)), admin.id if admin else None)
    except PublishError as error:
        log.warning("demo: could not publish %s: %s", last, error)
