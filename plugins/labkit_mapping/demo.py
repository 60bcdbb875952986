"""Demo data: forty organisations of São Paulo's open-technology ecosystem, and their ties.

The names are invented (any resemblance is a coincidence); the places are real neighbourhoods.
"""

from __future__ import annotations

from typing import Any

from labkit.demo import sample_pictures
from labkit.text import fold

from labkit_mapping import rules, seals
from labkit_mapping.forms import OrganisationIn
from labkit_mapping.models import Organisation

# name, kind, region, (lat, lng), neighbourhood, founded, wants to partner, practices, topics, description
ORGANISATIONS = [
    ("Coletivo Código Aberto da Brasilândia", "collective", "zona-norte", (-23.4671, -46.6868), "Brasilândia", 2016, True,
     ["free-software", "open-data"], ["inclusão digital", "periferia", "programação"],
     "Coletivo de jovens programadores que ensina software livre em escolas públicas e mantém um telecentro comunitário."),
    ("Juventude Hacker Leste", "youth_group", "zona-leste", (-23.5403, -46.4560), "Itaquera", 2018, True,
     ["free-software", "open-hardware"], ["educação", "robótica", "juventude"],
     "Grupo de jovens de Itaquera que organiza oficinas de robótica com sucata eletrônica e hackathons de bairro."),
    ("Rede Mulheres na Tecnologia Sul", "collective", "zona-sul", (-23.6712, -46.7791), "Capão Redondo", 2017, True,
     ["free-software"], ["gênero", "formação", "empregabilidade"],
     "Rede que forma mulheres da periferia sul em desenvolvimento web, com turmas noturnas e mentoria."),
    ("Laboratório de Cidades Inteligentes — Faculdade Paulista de Engenharia", "university", "zona-oeste", (-23.5720, -46.7080), "Butantã", 1998, True,
     ["open-science", "open-data", "open-standards"], ["mobilidade urbana", "sensores", "dados abertos"],
     "Centro de pesquisa que estuda mobilidade urbana com sensores de baixo custo e publica os dados em formato aberto."),
    ("Instituto Dados Abertos Paulistano", "ngo", "centro", (-23.5466, -46.6358), "República", 2012, True,
     ["open-data", "open-standards"], ["transparência", "dados abertos", "orçamento público"],
     "Organização da sociedade civil que traduz dados do orçamento municipal em visualizações e cursos para conselheiros."),
    ("Mobi Rotas Tecnologia", "startup", "zona-oeste", (-23.5665, -46.6902), "Pinheiros", 2019, False,
     ["open-data", "free-software"], ["mobilidade urbana", "transporte público", "aplicativos"],
     "Startup que calcula rotas acessíveis no transporte público a partir dos dados GTFS da cidade."),
    ("Casa de Cultura Digital Mooca", "collective", "zona-leste", (-23.5597, -46.5991), "Mooca", 2011, True,
     ["free-software", "open-hardware"], ["cultura digital", "fab lab", "arte"],
     "Espaço cultural com laboratório de fabricação digital aberto à comunidade e residências artísticas."),
    ("Secretaria Municipal de Inovação e Tecnologia — Núcleo de Dados", "public_body", "centro", (-23.5489, -46.6388), "Sé", 2013, False,
     ["open-data", "open-standards"], ["governo aberto", "dados abertos", "interoperabilidade"],
     "Núcleo da prefeitura responsável pelo catálogo de dados abertos e pelos padrões de interoperabilidade."),
    ("Observatório Cidadão da Zona Norte", "ngo", "zona-norte", (-23.5018, -46.6249), "Santana", 2015, True,
     ["open-data"], ["controle social", "saúde", "dados abertos"],
     "Observatório que acompanha indicadores de saúde e educação da zona norte com moradores e conselhos gestores."),
    ("Solda Livre Fab Lab", "collective", "zona-oeste", (-23.5228, -46.7031), "Lapa", 2014, False,
     ["open-hardware"], ["fab lab", "impressão 3D", "eletrônica"],
     "Laboratório comunitário de fabricação com máquinas de corte a laser, impressoras 3D e projetos documentados abertamente."),
    ("Agência Periférica de Comunicação", "collective", "zona-sul", (-23.7570, -46.6980), "Grajaú", 2016, True,
     ["free-software"], ["comunicação comunitária", "jornalismo", "periferia"],
     "Coletivo de comunicadores que produz jornalismo local com ferramentas livres e forma jovens repórteres."),
    ("Geo Comum Soluções Cartográficas", "company", "zona-oeste", (-23.5530, -46.6910), "Vila Madalena", 2010, False,
     ["free-software", "open-data", "open-standards"], ["geoprocessamento", "mapas", "OpenStreetMap"],
     "Empresa de geoprocessamento que trabalha com QGIS e OpenStreetMap para prefeituras e organizações sociais."),
    ("Centro de Pesquisa em Ciência Aberta — Instituto Tecnológico de São Paulo", "university", "zona-sul", (-23.5893, -46.6340), "Vila Mariana", 2005, True,
     ["open-science", "open-data"], ["ciência aberta", "reprodutibilidade", "dados de pesquisa"],
     "Centro que apoia pesquisadores a publicar dados e código de pesquisa em repositórios abertos."),
    ("Horta Conectada", "startup", "zona-leste", (-23.6092, -46.4762), "São Mateus", 2021, True,
     ["open-hardware", "open-data"], ["agricultura urbana", "sensores", "segurança alimentar"],
     "Startup que instala sensores de umidade de código aberto em hortas comunitárias e publica as medições."),
    ("Escola de Programação Tiradentes", "ngo", "zona-leste", (-23.5822, -46.4041), "Cidade Tiradentes", 2019, True,
     ["free-software"], ["educação", "programação", "juventude"],
     "Curso gratuito de programação para jovens de 15 a 24 anos, com material didático sob licença livre."),
    ("Associação Brasileira de Usuários de Software Livre — Regional SP", "ngo", "centro", (-23.5431, -46.6421), "Santa Cecília", 2003, False,
     ["free-software", "open-standards"], ["software livre", "eventos", "comunidade"],
     "Associação que organiza encontros mensais, install fests e a semana de software livre da cidade."),
    ("Bairro Vivo Dados Urbanos", "startup", "centro", (-23.5577, -46.6608), "Bela Vista", 2020, False,
     ["open-data"], ["habitação", "dados abertos", "planejamento urbano"],
     "Plataforma que cruza dados públicos de habitação e uso do solo para associações de moradores."),
    ("Coletivo Ocupa Rede", "collective", "zona-norte", (-23.4973, -46.6961), "Freguesia do Ó", 2017, True,
     ["free-software", "open-standards"], ["redes comunitárias", "internet", "inclusão digital"],
     "Coletivo que monta redes comunitárias de internet com roteadores reprogramados e software livre."),
    ("Companhia de Processamento de Dados do Município — Laboratório Aberto", "public_body", "zona-oeste", (-23.5270, -46.6790), "Barra Funda", 2016, False,
     ["free-software", "open-standards"], ["governo digital", "software público", "acessibilidade"],
     "Laboratório da empresa municipal de tecnologia que publica em repositório público os sistemas que desenvolve."),
    ("Instituto Acessibilidade Digital", "ngo", "zona-sul", (-23.6260, -46.6590), "Saúde", 2009, True,
     ["open-standards"], ["acessibilidade", "padrões web", "inclusão"],
     "Organização que audita serviços digitais públicos segundo as diretrizes de acessibilidade e forma equipes."),
    ("Grupo de Estudos em Hardware Livre — Escola Técnica Estadual", "university", "zona-leste", (-23.5402, -46.5765), "Tatuapé", 2012, False,
     ["open-hardware", "open-science"], ["eletrônica", "educação técnica", "robótica"],
     "Grupo de estudantes e professores que desenvolve instrumentos de laboratório de baixo custo com hardware livre."),
    ("Clima Aberto", "ngo", "zona-oeste", (-23.5870, -46.6820), "Jardim Europa", 2018, True,
     ["open-data", "open-science"], ["clima", "meio ambiente", "dados abertos"],
     "Organização que mantém uma rede cidadã de estações meteorológicas e publica séries históricas abertas."),
    ("Pixel Quebrada Games", "startup", "zona-sul", (-23.6460, -46.6410), "Jabaquara", 2022, True,
     ["free-software"], ["jogos", "educação", "cultura digital"],
     "Estúdio independente de jogos educativos feitos com motores livres por desenvolvedores da periferia."),
    ("Cooperativa de Tecnologia Solidária", "company", "centro", (-23.5350, -46.6330), "Luz", 2014, True,
     ["free-software", "open-standards"], ["economia solidária", "desenvolvimento web", "cooperativismo"],
     "Cooperativa de desenvolvedores que atende movimentos sociais e pequenos negócios com software livre."),
    ("Juventude Conectada Guaianases", "youth_group", "zona-leste", (-23.5424, -46.4133), "Guaianases", 2020, True,
     ["free-software"], ["juventude", "audiovisual", "inclusão digital"],
     "Grupo de jovens que produz vídeos e podcasts sobre o bairro e ensina edição com programas livres."),
    ("Mapeadores do Extremo Sul", "youth_group", "zona-sul", (-23.7900, -46.7150), "Parelheiros", 2019, True,
     ["open-data"], ["OpenStreetMap", "meio ambiente", "mapas"],
     "Jovens que mapeiam trilhas, nascentes e equipamentos públicos de Parelheiros no OpenStreetMap."),
    ("Saúde em Dados Instituto", "ngo", "zona-norte", (-23.4800, -46.6030), "Tucuruvi", 2016, False,
     ["open-data", "open-science"], ["saúde", "epidemiologia", "dados abertos"],
     "Instituto que analisa dados públicos de saúde e publica painéis para unidades básicas e conselhos."),
    ("Legisla Fácil", "startup", "centro", (-23.5500, -46.6330), "Sé", 2021, True,
     ["open-data", "open-standards"], ["legislativo", "transparência", "participação"],
     "Startup que acompanha projetos de lei da Câmara Municipal e explica cada um em linguagem simples."),
    ("Núcleo de Inovação Aberta — Universidade Metropolitana", "university", "zona-sul", (-23.6540, -46.7100), "Santo Amaro", 2008, True,
     ["open-science", "free-software"], ["inovação", "empreendedorismo", "extensão universitária"],
     "Núcleo que conecta projetos de extensão universitária a desafios propostos por comunidades e pela prefeitura."),
    ("Biblioteca Comunitária Digital do Jardim Ângela", "collective", "zona-sul", (-23.7080, -46.7720), "Jardim Ângela", 2013, True,
     ["free-software", "open-data"], ["leitura", "inclusão digital", "periferia"],
     "Biblioteca comunitária com computadores reciclados, cursos de informática e acervo digital aberto."),
    ("Energia Livre Soluções", "company", "zona-leste", (-23.5500, -46.5350), "Vila Formosa", 2015, False,
     ["open-hardware"], ["energia solar", "eficiência energética", "eletrônica"],
     "Empresa que projeta controladores solares de hardware aberto para escolas e centros comunitários."),
    ("Hackerspace Paulistano", "collective", "zona-oeste", (-23.5400, -46.6700), "Perdizes", 2010, False,
     ["free-software", "open-hardware"], ["hackerspace", "segurança digital", "eletrônica"],
     "Espaço mantido por associados, aberto às terças para quem quer aprender eletrônica, programação e segurança."),
    ("Transparência Escolar", "ngo", "zona-norte", (-23.4600, -46.6500), "Cachoeirinha", 2018, True,
     ["open-data"], ["educação", "transparência", "merenda escolar"],
     "Organização de mães e pais que acompanha os gastos com merenda e reformas nas escolas da região."),
    ("Subprefeitura da Sé — Programa Bairro Digital", "public_body", "centro", (-23.5560, -46.6390), "Liberdade", 2019, False,
     ["open-data"], ["governo local", "wi-fi público", "inclusão digital"],
     "Programa da subprefeitura que leva pontos de acesso gratuito à internet e oficinas a praças do centro."),
    ("Ateliê de Tecnologias Sociais", "ngo", "zona-oeste", (-23.6000, -46.7600), "Campo Limpo", 2011, True,
     ["open-hardware", "free-software"], ["tecnologia social", "moradia", "saneamento"],
     "Ateliê que desenvolve com moradores tecnologias simples e documentadas para moradia e saneamento."),
    ("Rota Bike Dados", "collective", "zona-oeste", (-23.5610, -46.6780), "Jardim Paulista", 2015, False,
     ["open-data", "free-software"], ["ciclismo", "mobilidade urbana", "contagens"],
     "Coletivo de ciclistas que faz contagens voluntárias e mantém um painel aberto sobre a malha cicloviária."),
    ("Incubadora Tecnológica da Zona Leste", "university", "zona-leste", (-23.4960, -46.4400), "Itaim Paulista", 2007, True,
     ["open-science"], ["incubação", "empreendedorismo", "inovação"],
     "Incubadora ligada a uma faculdade pública que apoia negócios de base tecnológica de moradores da região."),
    ("Semente Digital Agência", "company", "zona-norte", (-23.5100, -46.6200), "Carandiru", 2017, False,
     ["open-standards"], ["padrões web", "desenvolvimento web", "acessibilidade"],
     "Agência que constrói sites acessíveis seguindo padrões web abertos para associações e cooperativas."),
    ("Fórum de Inclusão Digital da Zona Leste", "other", "zona-leste", (-23.5700, -46.5100), "Aricanduva", 2014, True,
     ["free-software"], ["inclusão digital", "articulação", "telecentros"],
     "Articulação de telecentros, bibliotecas e coletivos que se reúne todo mês para trocar experiências."),
    ("Laboratório de Fabricação Digital Pública — Centro Cultural", "public_body", "centro", (-23.5710, -46.6430), "Paraíso", 2015, False,
     ["open-hardware", "free-software"], ["fab lab", "cultura", "educação"],
     "Laboratório público de fabricação digital com cursos gratuitos e projetos compartilhados em licenças abertas."),
]

# (source index, kind, target index or None for the lab)
RELATIONSHIPS = [
    (0, "member_of", 38), (1, "member_of", 38), (24, "member_of", 38), (14, "member_of", 38), (6, "member_of", 38),
    (5, "spin_off_of", 3), (13, "spin_off_of", 35), (22, "spin_off_of", 28),
    (4, "supports", 8), (4, "supports", 32), (11, "supports", 25), (12, "supports", 21),
    (7, "partner_of", None), (4, "partner_of", None), (3, "partner_of", None), (18, "partner_of", 7),
    (16, "member_of", 23), (9, "partner_of", 39), (30, "member_of", 31), (2, "partner_of", 28),
    (19, "supports", 37), (27, "supports", 4), (33, "partner_of", None), (36, "spin_off_of", 28),
]

VERIFIED = (0, 3, 4, 7, 8, 14, 33)
"""The organisations the demo lab's team verified (the "Verified by the lab" seal)."""


def _slug(name: str) -> str:
    return "-".join(fold(name).split()[:4])


async def load(settings: Any) -> None:
    """Create the organisations and relationships, the verified ones with a logo (only into an
    empty directory)."""
    if await Organisation.all().exists():
        return
    created = []
    for name, kind, region, (lat, lng), place, year, partner, practices, topics, description in ORGANISATIONS:
        slug = _slug(name)
        data = OrganisationIn(
            name=name, kind=kind, region=region, latitude=lat, longitude=lng, founding_year=year,
            wants_partnership=partner, practices=practices, topics=topics, description=description,
            address=f"{place}, São Paulo - SP", website=f"https://{slug}.exemplo.org.br",
            links=[f"https://codigo.exemplo.org.br/{slug}"],
            contact_email=f"contato@{slug}.exemplo.org.br" if partner else "")
        created.append(await rules.create_organisation(data, None, source="demo"))
    for source, kind, target in RELATIONSHIPS:
        await rules.add_relationship(created[source], created[target] if target is not None else None, kind, "", None)
    await seals.ensure_defaults()
    verified, partner = await seals.active()
    for index in VERIFIED:
        await seals.grant(created[index], verified.id, None)
    await sample_pictures(settings, "logo", [(created[index], created[index].name,
                                              f"Logotipo de {created[index].name}: suas iniciais sobre um fundo colorido")
                                             for index in VERIFIED])
    for source, kind, target in RELATIONSHIPS:
        if kind == "partner_of" and target is None:
            await seals.grant(created[source], partner.id, None)
    # one proposal waiting for the team, to show the moderation queue
    await rules.propose_new(OrganisationIn(
        name="Coletivo Dados na Quebrada", kind="collective", region="zona-sul", latitude=-23.6850, longitude=-46.7400,
        topics=["dados abertos", "periferia"], practices=["open-data"], wants_partnership=True,
        description="Coletivo que ensina moradores a usar dados públicos para reivindicar melhorias no bairro.",
        address="Jardim São Luís, São Paulo - SP"), None, contact_email="", note="Conheci numa feira de dados abertos.")
