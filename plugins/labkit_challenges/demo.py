"""Demo data (pt-BR, São Paulo): a finished challenge on mobility data with scored submissions and
published results, and an open hackathon."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from labkit.demo import demo_resident, sample_pictures
from labkit.models import Person

from labkit_challenges import services
from labkit_challenges.models import (
    DEFAULT_LICENCES,
    Assignment,
    Challenge,
    Conflict,
    Criterion,
    Juror,
    Score,
    Submission,
    Team,
    TeamMember,
    Vote,
)

CONDUCT = (
    "Tratamos todas as pessoas com respeito, sem assédio nem discriminação. Creditamos o trabalho "
    "de quem contribuiu, respeitamos a privacidade dos dados pessoais e seguimos as orientações da "
    "equipe do laboratório. Casos de desrespeito podem levar à exclusão do desafio."
)

PEOPLE = [
    ("Ana Beatriz Souza", "ana.souza@demo.lab"), ("Carlos Henrique Lima", "carlos.lima@demo.lab"),
    ("Juliana Martins", "juliana.martins@demo.lab"), ("Rafael Oliveira", "rafael.oliveira@demo.lab"),
    ("Fernanda Costa", "fernanda.costa@demo.lab"), ("Lucas Pereira", "lucas.pereira@demo.lab"),
    ("Mariana Alves", "mariana.alves@demo.lab"), ("Thiago Santos", "thiago.santos@demo.lab"),
    ("Patrícia Gomes", "patricia.gomes@demo.lab"), ("Eduardo Ribeiro", "eduardo.ribeiro@demo.lab"),
    ("Camila Rocha", "camila.rocha@demo.lab"),
]


async def _people() -> list[Person]:
    return [await demo_resident(name, email, "pt-BR") for name, email in PEOPLE]


async def create(settings: Any) -> None:
    if await Challenge.exists():
        return
    now = services.now()
    people = await _people()
    await _finished_challenge(now, people)
    await _open_hackathon(now, people)
    covers = [(challenge, challenge.title, f"Capa com as iniciais de “{challenge.title}”")
              for challenge in await Challenge.all().order_by("id")]
    await sample_pictures(settings, "cover", covers, size=(640, 272))


async def _finished_challenge(now: Any, people: list[Person]) -> None:
    opened = now - timedelta(days=120)
    challenge = await Challenge.create(
        kind="challenge",
        title="Dados de mobilidade para uma São Paulo mais caminhável",
        summary="Como usar os dados abertos de ônibus, bicicletas e sinistros de trânsito para tornar "
                "as travessias mais seguras perto das escolas?",
        problem=(
            "A cidade publica dados de GPS dos ônibus (SPTrans), viagens de bicicleta compartilhada e "
            "sinistros de trânsito (Infosiga), mas as equipes das subprefeituras ainda têm dificuldade "
            "para cruzar essas bases e decidir **onde** intervir primeiro.\n\n"
            "Procuramos soluções abertas que ajudem a priorizar travessias e calçadas no entorno de "
            "escolas municipais, com dados reproduzíveis e fáceis de atualizar."
        ),
        owner="Secretaria Municipal de Mobilidade e Trânsito",
        topics=["mobilidade", "dados abertos", "segurança viária"],
        sdgs=[3, 11],
        prize="R$ 30.000 em bolsas para as equipes vencedoras e 6 meses de acompanhamento no laboratório "
              "para testar o protótipo com a CET.",
        rules="- Equipes de 2 a 5 pessoas.\n- Código e dados sob licença aberta.\n- Nenhum dado pessoal nas soluções.",
        code_of_conduct=CONDUCT,
        licences=DEFAULT_LICENCES,
        default_licence="MIT",
        is_published=True,
        opens_at=opened,
        closes_at=opened + timedelta(days=45),
        evaluation_starts_at=opened + timedelta(days=50),
        implementation_starts_at=opened + timedelta(days=75),
        max_team_size=5,
        scale_max=10,
        community_vote=True,
        jury_statement=(
            "O júri destacou a qualidade dos dados e a facilidade de uso das propostas. A solução "
            "vencedora cruza sinistros e fluxo escolar de forma reproduzível e já foi testada com a "
            "Subprefeitura da Sé."
        ),
    )
    criteria = [
        await Criterion.create(challenge=challenge, name="Impacto para a cidade", weight=3, position=0,
                               description="Quantas pessoas a solução pode proteger e com que evidência."),
        await Criterion.create(challenge=challenge, name="Viabilidade técnica", weight=2, position=1,
                               description="O protótipo funciona com os dados reais e pode ser mantido."),
        await Criterion.create(challenge=challenge, name="Abertura e reuso", weight=1, position=2,
                               description="Código, dados e documentação abertos e reutilizáveis."),
    ]
    entries = [
        ("Travessia Segura", "Mapa de calor de sinistros a 300 m das escolas, com ranking de travessias prioritárias.",
         "https://prototipo.travessiasegura.example.org", [0, 1, 2], [(9, 8, 9), (8, 9, 8)]),
        ("Rota Escolar Aberta", "Painel que cruza horários de ônibus e entrada das escolas para ajustar semáforos.",
         "https://rotaescolar.example.org", [3, 4], [(7, 8, 9), (8, 7, 8)]),
        ("Calçada Viva", "Aplicativo para moradores apontarem calçadas quebradas no caminho da escola.",
         "", [5, 6, 7], [(6, 7, 5), (7, 6, 6)]),
    ]
    jurors = [await Juror.create(challenge=challenge, person=people[8]),
              await Juror.create(challenge=challenge, person=people[9])]
    submissions = []
    for index, (title, summary, prototype, members, cards) in enumerate(entries):
        team = await Team.create(challenge=challenge, name=f"Equipe {title}", invite_nonce=secrets.token_hex(8))
        for position, member in enumerate(members):
            await TeamMember.create(team=team, challenge=challenge, person=people[member],
                                    role="lead" if position == 0 else "member",
                                    conduct_accepted_at=opened + timedelta(days=3 + index))
        submission = await Submission.create(
            challenge=challenge, team=team, title=title, summary=summary,
            description=f"{summary}\n\nUsa dados abertos da SPTrans, do Infosiga e do GeoSampa.",
            code_url=f"https://github.com/exemplo/{title.lower().replace(' ', '-')}", prototype_url=prototype,
            licence=["MIT", "Apache-2.0", "GPL-3.0-or-later"][index], submitted_at=opened + timedelta(days=30 + index),
            is_winner=index == 0, award="Primeiro lugar" if index == 0 else "",
            taken_forward_on=(opened + timedelta(days=80)).date() if index == 0 else None,
        )
        submissions.append(submission)
        for juror, card in zip(jurors, cards):
            await Assignment.create(juror=juror, submission=submission)
            for criterion, value in zip(criteria, card):
                await Score.create(juror=juror, submission=submission, criterion=criterion, value=value,
                                   comment="Boa documentação dos dados." if value >= 8 else "Falta validar com usuários.")
    extra = await Juror.create(challenge=challenge, person=people[10])
    await Conflict.create(juror=extra, team_id=submissions[2].team_id, reason="Orientei a equipe na universidade.")
    for voter, submission in ((people[8], submissions[1]), (people[9], submissions[2]), (people[10], submissions[1])):
        await Vote.create(challenge=challenge, submission=submission, person=voter)
    challenge.results_published_at = opened + timedelta(days=70)
    await challenge.save(update_fields=["results_published_at"])


async def _open_hackathon(now: Any, people: list[Person]) -> None:
    event = (now + timedelta(days=20)).replace(hour=12, minute=0, second=0, microsecond=0)
    challenge = await Challenge.create(
        kind="hackathon",
        title="Hackathon Pátio Digital: dados abertos da educação",
        summary="Um fim de semana para criar ferramentas que ajudem famílias a acompanhar vagas em creches "
                "e a qualidade das escolas do bairro.",
        problem=(
            "A Secretaria Municipal de Educação publica dados de matrículas, fila de creches e indicadores "
            "de qualidade, mas eles são pouco conhecidos pelas famílias. Como torná-los úteis no dia a dia?"
        ),
        owner="Secretaria Municipal de Educação",
        topics=["educação", "dados abertos", "creches"],
        sdgs=[4, 10],
        prize="Mentoria do Pátio Digital e apresentação para a equipe da Secretaria.",
        rules="- Inscrição em equipes de até 4 pessoas.\n- Todo o código sob licença aberta.",
        code_of_conduct=CONDUCT,
        licences=DEFAULT_LICENCES,
        default_licence="Apache-2.0",
        is_published=True,
        opens_at=now - timedelta(days=5),
        closes_at=event + timedelta(days=2),
        evaluation_starts_at=event + timedelta(days=2),
        event_starts_at=event,
        event_ends_at=event + timedelta(days=1, hours=6),
        venue="Centro de Formação, Rua Dr. Diogo de Faria, 1247 — Vila Clementino, São Paulo",
        max_team_size=4,
        scale_max=5,
        blind_review=True,
    )
    for name, weight in (("Utilidade para as famílias", 2), ("Uso dos dados abertos", 1), ("Qualidade do protótipo", 1)):
        await Criterion.create(challenge=challenge, name=name, weight=weight,
                               position=await Criterion.filter(challenge=challenge).count())
    team = await Team.create(challenge=challenge, name="Fila Transparente", invite_nonce=secrets.token_hex(8))
    await TeamMember.create(team=team, challenge=challenge, person=people[1], role="lead", conduct_accepted_at=now)
    await TeamMember.create(team=team, challenge=challenge, person=people[6], role="member", conduct_accepted_at=now)
    await Juror.create(challenge=challenge, person=people[8])
