"""The two pledge letters of the seed as structured data (Chinese text verbatim).

seed: 普安社区江南花山郡小区党组织服务承诺 (10 items) and
普安社区江南花山郡小区物业管理会服务承诺 (10 items, 服从管理承诺, 问责退出承诺).

Each item names the rule that measures it (``rule_kind`` + ``params``; see
``pledges/services/params.py::params_clean`` for the parameters of each kind). An item
with two promises keeps its main rule and lists the second under
``params["also"]`` (e.g. 第5条: monthly study *and* two trainings a year).
Items the system cannot measure (廉洁自律, …) are ``attested``: a reviewer
records evidence and a judgement.

Decision: the line "中共武汉江夏经济开发区普安社区支部委员会" stands directly above
the PMC letter's title in the seed; it is kept as that letter's letterhead.
"""

from __future__ import annotations

PARTY_LETTER = {
    "organization_kind": "compound_party",
    "title": "普安社区江南花山郡小区党组织服务承诺",
    "letterhead": "",
    "preamble": (
        "为切实发挥党建引领作用，提升基层治理效能，在社区党组织领导下，"
        "小区党组织现向全体业主郑重承诺如下："
    ),
    "closing": "欢迎全体业主监督指正，共建和谐美好家园。\n监督电话：027-87913119",
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
    "title": "普安社区江南花山郡小区物业管理会服务承诺",
    "letterhead": "中共武汉江夏经济开发区普安社区支部委员会",
    "preamble": (
        "为切实履行物业管理委员会职责，践行参选承诺，在社区党组织领导下，由小区党组织具体牵头，"
        "依据社区党组织指导，接受全体业主监督，现就服务事项郑重承诺如下："
    ),
    "closing": (
        "承诺是责任，践诺显担当！\n"
        "欢迎全体业主通过以下渠道监督、建议：\n"
        "监督电话：87913119（工作日9:00-17:00）\n"
        "线上反馈：江南花山郡小区物业管理委员会微信\n"
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
                "设立24小时业主服务专线（电话：027-81818577），常规问题48小时内答复，"
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
                "start": "{year}-01-01",
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


def letter_params(params: dict, *, year: int) -> dict:
    """Fill ``{year}`` placeholders (the PMC's term start) for a concrete year."""

    def fill(value):
        if isinstance(value, str):
            return value.replace("{year}", str(year))
        if isinstance(value, list):
            return [fill(v) for v in value]
        if isinstance(value, dict):
            return {k: fill(v) for k, v in value.items()}
        return value

    return fill(params)
