from django.db import models


class CampaignStatus(models.TextChoices):
    PLANNING = "planning", "Planning"
    BOOKED = "booked", "Booked"
    LIVE = "live", "Live"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


class Objective(models.TextChoices):
    AWARENESS = "awareness", "Awareness"
    CONSIDERATION = "consideration", "Consideration"
    CONVERSION = "conversion", "Conversion"
    LEADS = "leads", "Leads"
    SALES = "sales", "Sales"
    APP_INSTALLS = "app_installs", "App installs"
    TRAFFIC = "traffic", "Traffic"
    ENGAGEMENT = "engagement", "Engagement"
    VIDEO_VIEWS = "video_views", "Video views"
    REACH = "reach", "Reach"


class Kpi(models.TextChoices):
    IMPRESSIONS = "impressions", "Impressions"
    REACH = "reach", "Reach"
    FREQUENCY = "frequency", "Frequency"
    GRPS = "grps", "GRPs"
    CPM = "cpm", "CPM"
    CPC = "cpc", "CPC"
    CTR = "ctr", "CTR (%)"
    CPA = "cpa", "CPA"
    CPL = "cpl", "CPL"
    CPV = "cpv", "CPV"
    VCR = "vcr", "Video completion rate (%)"
    ROAS = "roas", "ROAS"
    CONVERSIONS = "conversions", "Conversions"
