"""Data migration: the disclosure categories the rules list.

seed: 公示承诺制度 第一—四条; 小区党组织服务承诺 2; 物业管理委员会服务承诺 1、2.
The data is inlined (not imported from app code) so the migration stays stable.
"""

from django.db import migrations

# code, name, seed article, min posting days, long-term, has ledger
CATEGORIES = [
    ("personnel", "人员及联系方式", "公示承诺制度 第一条、第四条", None, True, False),
    ("pledges", "“三方”年度服务承诺", "公示承诺制度 第一条、第四条", None, True, False),
    ("issue_consultation", "日常问题“三方”协商落实意见", "公示承诺制度 第一条、第四条", None, False, False),
    ("issue_progress", "重大及历史遗留问题办理进展", "公示承诺制度 第一条", None, False, False),
    ("company_selection", "物业服务企业选聘", "公示承诺制度 第二条", None, False, False),
    ("public_revenue", "公共收益收支明细", "公示承诺制度 第二条；物管会服务承诺 2", None, False, True),
    ("maintenance_fund", "住宅专项维修资金使用台账", "公示承诺制度 第二条；物管会服务承诺 2", None, False, True),
    ("pmc_work_affairs", "物业管理委员会工作事务", "公示承诺制度 第二条", None, False, False),
    ("pmc_performance", "物业管理委员会履职情况及工作经费使用", "公示承诺制度 第二条", None, False, True),
    ("company_project_head", "物业项目负责人、联系方式及投诉电话", "公示承诺制度 第三条 1", None, True, False),
    ("company_services_fees", "服务内容、服务标准及收费", "公示承诺制度 第三条 2", None, True, False),
    ("company_contractors", "电梯、消防、监控等维保单位及应急预案", "公示承诺制度 第三条 3", None, True, False),
    ("company_fees_funds", "物业费、公共水电分摊、维修资金及共用部位收益", "公示承诺制度 第三条 4", None, False, True),
    ("company_parking", "停车位、车库销售出租及使用情况", "公示承诺制度 第三条 5", None, False, False),
    ("company_renovation_safety", "房屋修缮、装饰装修及结构安全事项", "公示承诺制度 第三条 6", None, False, False),
    ("company_other", "其他应当公示的信息", "公示承诺制度 第三条 7", None, False, False),
    ("company_service_progress", "物业服务事项完成进度", "小区党组织服务承诺 2", None, False, False),
    ("service_report_quarterly", "物业服务季度报告", "公示承诺制度 第三条", 30, False, False),
    ("service_report_annual", "物业服务年度报告", "公示承诺制度 第三条", 30, False, False),
    ("candidate_pledges", "物业管理委员会候选人“三诺”", "公示承诺制度 承诺履诺监督管理", None, True, False),
    ("meeting_summary", "会议纪要", "联席会议议事规则", None, False, False),
    ("pmc_decision", "物业管理委员会决策报告", "决策报告制度 第二条", None, False, False),
    ("owners_assembly", "业主大会决议及执行情况", "物管会服务承诺 1", None, False, False),
]


def forwards(apps, schema_editor):
    Category = apps.get_model("disclosures", "Category")
    for order, (code, name, article, min_days, long_term, has_ledger) in enumerate(CATEGORIES):
        Category.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "seed_article": article,
                "min_posting_days": min_days,
                "long_term": long_term,
                "has_ledger": has_ledger,
                "sort_order": (order + 1) * 10,
            },
        )


def backwards(apps, schema_editor):
    Category = apps.get_model("disclosures", "Category")
    Category.objects.filter(code__in=[row[0] for row in CATEGORIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("disclosures", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
