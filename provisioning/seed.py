"""The obligations the seed's rules create, as data: the ONE place of the seed's numbers.

Every number and cadence of the two pledge letters, the disclosure schedules of
公示承诺制度, the joint-meeting schedule of 联席会议议事规则 第三条, the evaluation
criteria of 评议监督考核制度 and the deadline policies is written here once. The
data migration ``provisioning/migrations/0002_seed_templates.py`` loads it as
version 1 of the :class:`provisioning.models.ObligationTemplate` rows, and
:func:`provisioning.services.provision_compound` instantiates a compound's
obligations from the templates in force. ``pledges/letters.py`` and
``disclosures/services/schedules.py`` read from here (through the templates).

seed: 小区党组织服务承诺 (10 items), 物业管理委员会服务承诺 (10 items, 服从管理承诺,
问责退出承诺), 公示承诺制度 第一—四条, 联席会议议事规则 第三条, 评议监督考核制度 第三、四条.

Each letter item names the rule that measures it (``rule_kind`` + ``params``; see
``pledges/services/params.py::params_clean``). An item with two promises keeps its
main rule and lists the second under ``params["also"]``. Items the system cannot
measure (廉洁自律, …) are ``attested``: a reviewer records evidence and a judgement.
The PMC's 第7条 "上任3个月内" starts at the PMC's term start read from the directory
(``params["start"] = "{term_start}"``, filled by provisioning).

Decision: the line "中共武汉江夏经济开发区普安社区支部委员会" stands directly above
the PMC letter's title in the seed; it is kept as that letter's letterhead.
"""

from __future__ import annotations

PARTY_LETTER = {
    "organization_kind": "compound_party",
    "title": "{community}{compound}小区党组织服务承诺",
    "letterhead": "",
    "preamble": (
        "为切实发挥党建引领作用，提升基层治理效能，在社区党组织领导下，"
        "小区党组织现向全体业主郑重承诺如下："
    ),
    "closing": "欢迎全体业主监督指正，共建和谐美好家园。\n监督电话：{party_phone}",
    "items": [
        {
            "number": 1,
            "section": "一、强化履职监督，推动责任落实",
            "heading": "定期联席会议",
            "text": (
                "每月至少召开1次社区党组织、物业管理委员会、物业三方联席会议，"
                "公开协商小区重大事项，督促落实业主大会决议并推动问题整改。"
            ),
            "rule_kind": "count_per_period",
            "params": {
                "label": "每月联席会议",
                "source": "meeting",
                "kinds": ["joint"],
                "min_count": 1,
                "period_months": 1,
            },
            "warn_lead_days": 7,
        },
        {
            "number": 2,
            "section": "一、强化履职监督，推动责任落实",
            "heading": "信息透明公开",
            "text": (
                "监督物业管理委员会每半年公示公共收益收支及维修资金使用情况，"
                "督促物业每月公开服务事项完成进度，以保障业主知情权。"
            ),
            "rule_kind": "disclosure_on_time",
            "params": {
                "label": "公共收益、维修资金及服务事项按时公示",
                "categories": ["public_revenue", "maintenance_fund", "company_service_progress"],
                "threshold": 100,
                "period_months": 6,
            },
            "warn_lead_days": 14,
        },
        {
            "number": 3,
            "section": "一、强化履职监督，推动责任落实",
            "heading": "畅通诉求渠道",
            "text": (
                "设立线上线下“党员意见箱”，开通24小时服务热线，承诺48小时内响应业主诉求，"
                "7个工作日内反馈处理进展。"
            ),
            "rule_kind": "deadline_rate",
            "params": {
                "label": "48小时内响应、7个工作日内反馈",
                "clocks": ["response", "feedback"],
                "threshold": 100,
                "period_months": 3,
            },
            "warn_lead_days": 14,
        },
        {
            "number": 4,
            "section": "二、加强自身建设，提升服务能力",
            "heading": "党员亮身份践承诺",
            "text": (
                "党组织成员主动公开联系方式，每季度参与1次志愿服务活动（如环境整治、矛盾调解），"
                "接受业主监督评议。"
            ),
            "rule_kind": "count_per_period",
            "params": {
                "label": "每名党组织成员每季度1次志愿服务",
                "source": "activity",
                "kinds": ["volunteer"],
                "min_count": 1,
                "per_member": True,
                "period_months": 3,
            },
            "warn_lead_days": 14,
        },
        {
            "number": 5,
            "section": "二、加强自身建设，提升服务能力",
            "heading": "理论学习常态化",
            "text": (
                "每月组织党员学习政策法规及物业管理知识，"
                "每年开展2次物业管理委员会与物业专题培训，提升履职专业度。"
            ),
            "rule_kind": "count_per_period",
            "params": {
                "label": "每月党员学习",
                "source": "activity",
                "kinds": ["study"],
                "min_count": 1,
                "period_months": 1,
                "also": [
                    {
                        "rule_kind": "count_per_period",
                        "params": {
                            "label": "每年2次专题培训",
                            "source": "activity",
                            "kinds": ["training"],
                            "min_count": 2,
                            "period_months": 12,
                        },
                    }
                ],
            },
            "warn_lead_days": 7,
        },
        {
            "number": 6,
            "section": "二、加强自身建设，提升服务能力",
            "heading": "廉洁自律守底线",
            "text": (
                "严格规范党组织经费使用，不干预物业管理委员会依法决策，不插手物业企业正常运营，"
                "杜绝谋取私利行为。"
            ),
            "rule_kind": "attested",
            "params": {"label": "廉洁自律（评议认定）", "period_months": 12},
            "warn_lead_days": 30,
        },
        {
            "number": 7,
            "section": "三、聚焦民生关切，办好关键实事",
            "heading": "安全隐患“零容忍”",
            "text": (
                "督促物业每季度开展消防、电梯等设施的全面排查，发现问题限期3日内整改，"
                "重大隐患即时上报并全程跟踪。"
            ),
            "rule_kind": "count_per_period",
            "params": {
                "label": "每季度消防、电梯排查",
                "source": "inspection",
                "kinds": ["quarterly_safety"],
                "min_count": 1,
                "period_months": 3,
                # a quarter counts only if its safety inspections covered every required
                # area (消防、电梯: pledges.models.REQUIRED_SAFETY_AREAS, the one list)
                "require_safety_areas": True,
                "also": [
                    {
                        "rule_kind": "rate_threshold",
                        "params": {
                            "label": "排查问题3日内整改",
                            "measure": "findings_fixed_on_time",
                            "inspection_kinds": ["quarterly_safety"],
                            "threshold": 100,
                            "period_months": 3,
                        },
                    }
                ],
            },
            "warn_lead_days": 21,
        },
        {
            "number": 8,
            "section": "三、聚焦民生关切，办好关键实事",
            "heading": "公共事务共决策",
            "text": (
                "涉及绿化改造、停车规划等事项时，牵头组织业主代表听证会，确保方案符合多数业主利益。"
            ),
            "rule_kind": "attested",
            "params": {"label": "重大事项组织听证（评议认定）", "period_months": 12},
            "warn_lead_days": 30,
        },
        {
            "number": 9,
            "section": "三、聚焦民生关切，办好关键实事",
            "heading": "文化惠民暖人心",
            "text": (
                "每年组织4次以上邻里活动（节日联欢、法律咨询等），"
                "联动物业提供独居老人关爱、儿童托管等便民服务。"
            ),
            "rule_kind": "count_per_period",
            "params": {
                "label": "每年4次以上邻里活动",
                "source": "activity",
                "kinds": ["neighbourhood"],
                "min_count": 4,
                "period_months": 12,
            },
            "warn_lead_days": 60,
        },
        {
            "number": 10,
            "section": "三、聚焦民生关切，办好关键实事",
            "heading": "长效治理保成果",
            "text": (
                "建立物业服务‘红黑榜’季度考评机制，对连续不达标企业，在年底上报主管部门进行考评；"
                "同时，建议业主大会启动解聘程序，维护业主合法权益。"
            ),
            "rule_kind": "attested",
            "params": {"label": "红黑榜季度考评（评议认定）", "period_months": 3},
            "warn_lead_days": 14,
        },
    ],
}

PMC_LETTER = {
    "organization_kind": "pmc",
    "title": "{community}{compound}小区物业管理会服务承诺",
    "letterhead": "{community_party_name}",
    "preamble": (
        "为切实履行物业管理委员会职责，践行参选承诺，在社区党组织领导下，由小区党组织具体牵头，"
        "依据社区党组织指导，接受全体业主监督，现就服务事项郑重承诺如下："
    ),
    "closing": (
        "承诺是责任，践诺显担当！\n"
        "欢迎全体业主通过以下渠道监督、建议：\n"
        "监督电话：{party_phone_local}（工作日9:00-17:00）\n"
        "线上反馈：{compound}小区物业管理委员会微信\n"
        "意见箱：小区物业管理委员会办公室门口"
    ),
    "items": [
        {
            "number": 1,
            "section": "一、履职尽责承诺",
            "heading": "严格执行业主大会决议",
            "text": (
                "每半年通过线上线下渠道向全体业主汇报决议执行情况，"
                "对未落实事项公开说明原因并制定整改计划。"
            ),
            "rule_kind": "disclosure_on_time",
            "params": {
                "label": "每半年汇报决议执行情况",
                "categories": ["owners_assembly"],
                "threshold": 100,
                "period_months": 6,
            },
            "warn_lead_days": 14,
        },
        {
            "number": 2,
            "section": "一、履职尽责承诺",
            "heading": "透明公开公共事务",
            "text": "每月公示小区公共收益收支明细，每季度公开维修资金使用台账，供业主随时查阅。",
            "rule_kind": "disclosure_on_time",
            "params": {
                "label": "公共收益月度公示、维修资金季度公开",
                "categories": ["public_revenue", "maintenance_fund"],
                "threshold": 100,
                "period_months": 3,
            },
            "warn_lead_days": 10,
        },
        {
            "number": 3,
            "section": "一、履职尽责承诺",
            "heading": "限时响应业主诉求",
            "text": (
                "设立24小时业主服务专线（电话：{pmc_phone}），常规问题48小时内答复，"
                "复杂问题7日内明确解决方案。"
            ),
            "rule_kind": "deadline_rate",
            "params": {
                "label": "48小时内答复、复杂问题7日内明确方案",
                "clocks": ["response", "plan"],
                "threshold": 100,
                "period_months": 3,
            },
            "warn_lead_days": 14,
        },
        {
            "number": 4,
            "section": "二、自身建设承诺",
            "heading": "定期述职接受监督",
            "text": (
                "每年召开业主代表大会进行述职，现场接受质询，满意度低于60%的委员主动辞职，"
                "并主动接受社区、小区党组织的指导、监督与督办。"
            ),
            "rule_kind": "evaluation_threshold",
            "params": {"label": "年度满意度不低于60%", "threshold": 60, "period_months": 12},
            "warn_lead_days": 30,
        },
        {
            "number": 5,
            "section": "二、自身建设承诺",
            "heading": "廉洁自律守底线",
            "text": "不挪用公共资金，不违规接受物业馈赠，若违反承诺立即辞职并承担法律责任。",
            "rule_kind": "attested",
            "params": {"label": "廉洁自律（评议认定）", "period_months": 12},
            "warn_lead_days": 30,
        },
        {
            "number": 6,
            "section": "二、自身建设承诺",
            "heading": "依法依规履职",
            "text": "重大事项（如物业选聘、改造工程）必须经业主大会表决，杜绝擅自决策。",
            "rule_kind": "attested",
            "params": {"label": "重大事项经业主大会表决（评议认定）", "period_months": 12},
            "warn_lead_days": 30,
        },
        {
            "number": 7,
            "section": "三、服务民生承诺",
            "heading": "解决高频民生问题",
            "text": "上任3个月内推动解决1-2项业主集中诉求（如停车难、绿化维护、电梯故障）。",
            "rule_kind": "one_off_by_date",
            "params": {
                "label": "上任3个月内解决1-2项集中诉求",
                "start": "{term_start}",
                "months": 3,
                "min_count": 1,
                "min_reporters": 3,
            },
            "warn_lead_days": 21,
        },
        {
            "number": 8,
            "section": "三、服务民生承诺",
            "heading": "共建和谐邻里关系",
            "text": "每季度组织1次业主恳谈会，每年开展2次社区文化活动（如公益市集、便民服务日）。",
            "rule_kind": "count_per_period",
            "params": {
                "label": "每季度1次业主恳谈会",
                "source": "meeting",
                "kinds": ["owners_forum"],
                "min_count": 1,
                "period_months": 3,
                "also": [
                    {
                        "rule_kind": "count_per_period",
                        "params": {
                            "label": "每年2次社区文化活动",
                            "source": "activity",
                            "kinds": ["cultural"],
                            "min_count": 2,
                            "period_months": 12,
                        },
                    }
                ],
            },
            "warn_lead_days": 21,
        },
        {
            "number": 9,
            "section": "三、服务民生承诺",
            "heading": "监督物业服务质量",
            "text": "每月联合业主代表检查物业保洁、安保、设施维护情况，问题整改率达90%以上。",
            "rule_kind": "count_per_period",
            "params": {
                "label": "每月联合业主代表检查",
                "source": "inspection",
                "kinds": ["monthly_service"],
                "min_count": 1,
                "period_months": 1,
                "also": [
                    {
                        "rule_kind": "rate_threshold",
                        "params": {
                            "label": "问题整改率90%以上",
                            "measure": "findings_rectified",
                            "inspection_kinds": ["monthly_service"],
                            "threshold": 90,
                            "period_months": 3,
                        },
                    }
                ],
            },
            "warn_lead_days": 7,
        },
        {
            "number": None,
            "section": "四、服从管理承诺",
            "heading": "",
            "text": (
                "服从社区、小区党组织领导、指导、监督管理，接受联席会议工作督办，"
                "参与社区、小区党组织组织业主评议和物业管理委员会履职评议，参加评星定级评定工作。"
            ),
            "rule_kind": "attested",
            "params": {"label": "服从管理（评议认定）", "period_months": 12},
            "warn_lead_days": 30,
        },
        {
            "number": 10,
            "section": "5、 问责退出承诺",
            "heading": "失职必究，违规必退",
            "text": (
                "出现以下情形，物业管理委员会成员主动辞职：\n"
                "连续3次无故缺席工作会议；履职不力导致业主集体投诉并经核查属实；"
                "违反参选承诺或损害业主共同利益。"
            ),
            "rule_kind": "attested",
            "params": {"label": "问责退出（见问责案件）", "period_months": 12},
            "warn_lead_days": 30,
        },
    ],
}


LETTERS = (PARTY_LETTER, PMC_LETTER)

#: Template code of each letter (one template row per letter).
LETTER_CODES = {"compound_party": "letter.compound_party", "pmc": "letter.pmc"}

#: Text placeholders a letter may carry, filled from the directory by provisioning.
PLACEHOLDERS = (
    "{community}",
    "{compound}",
    "{community_party_name}",
    "{party_phone}",
    "{party_phone_local}",
    "{pmc_phone}",
)

# --- disclosure schedules (公示承诺制度; both letters) ----------------------------------

#: (code, organization kind, disclosure category, cadence, article, quote of the seed).
#: Cadences: monthly | quarterly | half_yearly | yearly (disclosures.models.Cadence).
#: The property company's seven public items (公示承诺制度 第三条 "三栏一箱"
#: "四公开一监督") carry no cadence in the seed: items 1–6 must each be posted and
#: confirmed current at least once a year (第四条 "内容有变化应及时更新"); item 7
#: ("其他应当公示的信息") names nothing that can be scheduled and is posted when it arises.
SCHEDULES: tuple[tuple[str, str, str, str, str, str], ...] = (
    (
        "schedule.pmc.public_revenue.monthly",
        "pmc",
        "public_revenue",
        "monthly",
        "物业管理委员会服务承诺 第2条",
        "每月公示小区公共收益收支明细",
    ),
    (
        "schedule.pmc.public_revenue.half_yearly",
        "pmc",
        "public_revenue",
        "half_yearly",
        "公示承诺制度 第二条；小区党组织服务承诺 第2条",
        "每半年公布1次小区公共收益收支明细",
    ),
    (
        "schedule.pmc.maintenance_fund.quarterly",
        "pmc",
        "maintenance_fund",
        "quarterly",
        "物业管理委员会服务承诺 第2条",
        "每季度公开维修资金使用台账",
    ),
    (
        "schedule.pmc.work_affairs.quarterly",
        "pmc",
        "pmc_work_affairs",
        "quarterly",
        "公示承诺制度 第二条",
        "每季度公示1次工作事务",
    ),
    (
        "schedule.pmc.performance.yearly",
        "pmc",
        "pmc_performance",
        "yearly",
        "公示承诺制度 第二条",
        "每年至少公布1次履职情况及工作经费使用情况",
    ),
    (
        "schedule.pmc.public_revenue_audit.yearly",
        "pmc",
        "public_revenue_audit",
        "yearly",
        "公示承诺制度 第二条",
        "落实小区公共收益年度审计制度",
    ),
    (
        "schedule.pmc.owners_assembly.half_yearly",
        "pmc",
        "owners_assembly",
        "half_yearly",
        "物业管理委员会服务承诺 第1条",
        "每半年通过线上线下渠道向全体业主汇报决议执行情况",
    ),
    (
        "schedule.company.service_progress.monthly",
        "property_company",
        "company_service_progress",
        "monthly",
        "小区党组织服务承诺 第2条",
        "督促物业每月公开服务事项完成进度",
    ),
    (
        "schedule.company.service_report.quarterly",
        "property_company",
        "service_report_quarterly",
        "quarterly",
        "公示承诺制度 第三条",
        "《物业服务季度报告》……在小区固定的物业服务公告栏内进行公示",
    ),
    (
        "schedule.company.service_report.yearly",
        "property_company",
        "service_report_annual",
        "yearly",
        "公示承诺制度 第三条",
        "《物业服务年度报告》……在小区固定的物业服务公告栏内进行公示",
    ),
    (
        "schedule.company.project_head.yearly",
        "property_company",
        "company_project_head",
        "yearly",
        "公示承诺制度 第三条 1",
        "物业服务企业项目负责人的基本情况、联系方式、物业服务投诉电话",
    ),
    (
        "schedule.company.services_fees.yearly",
        "property_company",
        "company_services_fees",
        "yearly",
        "公示承诺制度 第三条 2",
        "公示服务内容、服务标准、收费项目、收费标准、收费方式等",
    ),
    (
        "schedule.company.contractors.yearly",
        "property_company",
        "company_contractors",
        "yearly",
        "公示承诺制度 第三条 3",
        "电梯、消防、监控等专业设施设备的日常维修保养单位的名称、资质、联系方式和应急处置方案等",
    ),
    (
        "schedule.company.fees_funds.yearly",
        "property_company",
        "company_fees_funds",
        "yearly",
        "公示承诺制度 第三条 4",
        "业主交纳物业服务费用、公共水电分摊费用情况、住宅专项维修资金使用情况……收益和支出情况",
    ),
    (
        "schedule.company.parking.yearly",
        "property_company",
        "company_parking",
        "yearly",
        "公示承诺制度 第三条 5",
        "物业区域内停车位、车库的销售、出租、分配以及使用情况",
    ),
    (
        "schedule.company.renovation_safety.yearly",
        "property_company",
        "company_renovation_safety",
        "yearly",
        "公示承诺制度 第三条 6",
        "房屋修缮、装饰装修以及使用过程中的结构变动等安全事项",
    ),
    (
        "schedule.party.personnel.yearly",
        "compound_party",
        "personnel",
        "yearly",
        "公示承诺制度 第一条、第四条",
        "小区党组织成员……的姓名、职务、联系方式等基本信息",
    ),
    (
        "schedule.party.pledges.yearly",
        "compound_party",
        "pledges",
        "yearly",
        "公示承诺制度 第一条、第四条",
        "“三方”年度服务承诺",
    ),
)

#: Disclosure categories the schedules need that the first category migration lacked.
EXTRA_CATEGORIES = (
    # code, name, seed article, min posting days, long-term, has ledger
    ("public_revenue_audit", "小区公共收益年度审计", "公示承诺制度 第二条", None, False, True),
)

# --- joint meeting (联席会议议事规则 第三条、第六条) ----------------------------------------

JOINT_MEETING = {
    "code": "joint_meeting.schedule",
    "article": "联席会议议事规则 第三条、第六条；小区党组织服务承诺 第1条",
    "title": "联席会议召开时间",
    "quote": "通常于每月最后一周召开，若遇重大问题或特殊情况，可随时召开。",
    # 每月最后一周: the meeting is held in the last 7 days of each month.
    "cadence": "monthly",
    "min_count": 1,
    "last_week_days": 7,
    # 第六条: 每半年开展一次工作小结，每年开展一次工作总结。
    "summary_cadences": ["half_yearly", "yearly"],
}

# --- evaluation (评议监督考核制度) -------------------------------------------------------

EVALUATION = {
    "code": "evaluation.criteria",
    "article": "评议监督考核制度 第一条、第三条、第四条",
    "title": "民主测评标准",
    "quote": "民主测评标准由街道统一制定。",
    # 第一条: 通常于每年12月开展。
    "month": 12,
    # 第四条: the four areas, each with its scored lines (name, maximum score).
    "groups": [
        [
            "落实“三方联动”机制情况",
            [["参加联席会议、落实议定事项", 10], ["信息互通、协同处置小区事务", 10]],
        ],
        [
            "履行服务承诺、履行职责（服务合同）情况",
            [["年度服务承诺兑现情况", 15], ["履行职责（服务合同）情况", 15]],
        ],
        [
            "居民反映投诉问题受理及解决情况",
            [["问题受理及时（48小时响应）", 10], ["问题解决及居民满意度", 15]],
        ],
        [
            "小区秩序及安全管理服务情况",
            [["环境卫生与公共秩序", 10], ["消防、电梯等安全隐患排查整改", 15]],
        ],
    ],
}

# --- deadline policies (the clocks live in huashan.workdays) ---------------------------

#: (template code, ``huashan.workdays`` policy code, article, quote). The numbers of
#: these clocks are kept by ``huashan.workdays`` (the complaint clock's single source);
#: the templates name that source and show its figure, they do not copy it.
DEADLINE_POLICIES = (
    (
        "deadline.response_48h",
        "response_48h",
        "小区党组织服务承诺 第3条；物业管理委员会服务承诺 第3条",
        "承诺48小时内响应业主诉求",
    ),
    (
        "deadline.feedback_7_working_days",
        "feedback_7_working_days",
        "小区党组织服务承诺 第3条",
        "7个工作日内反馈处理进展",
    ),
    (
        "deadline.plan_7_days",
        "plan_7_days",
        "物业管理委员会服务承诺 第3条",
        "复杂问题7日内明确解决方案",
    ),
    (
        "deadline.hazard_3_days",
        "hazard_3_days",
        "小区党组织服务承诺 第7条",
        "发现问题限期3日内整改",
    ),
)

#: The placeholders as the seed itself fills them (the compound it was written for).
#: Used only to show the letters exactly as the seed wrote them; provisioning fills
#: the placeholders from the directory of each compound.
AS_WRITTEN = {
    "{community}": "普安社区",
    "{compound}": "江南花山郡",
    "{community_party_name}": "中共武汉江夏经济开发区普安社区支部委员会",
    "{party_phone}": "027-87913119",
    "{party_phone_local}": "87913119",
    "{pmc_phone}": "027-81818577",
}
