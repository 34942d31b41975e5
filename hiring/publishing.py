"""The announcement as other systems read it: schema.org JobPosting and a USAJOBS-style export."""

from .models import Announcement, WorkArrangement


def job_posting_jsonld(joa: Announcement, *, url: str) -> dict:
    """schema.org JobPosting (https://schema.org/JobPosting), for job boards that read JSON-LD."""
    action = joa.action
    posting = {
        "@context": "https://schema.org",
        "@type": "JobPosting",
        "title": action.title,
        "identifier": {"@type": "PropertyValue", "name": action.agency.name, "value": joa.number},
        "url": url,
        "description": "\n\n".join(filter(None, [joa.summary, joa.duties, joa.qualifications])),
        "datePosted": joa.opens_on.isoformat() if joa.opens_on else None,
        "hiringOrganization": {"@type": "GovernmentOrganization", "name": action.agency.name},
        "employmentType": "FULL_TIME" if action.appointment_type == "permanent" else "TEMPORARY",
        "totalJobOpenings": action.vacancies,
        "occupationalCategory": action.series,
        "jobLocation": [
            {
                "@type": "Place",
                "address": {"@type": "PostalAddress", "addressLocality": loc, "addressCountry": "US"},
            }
            for loc in action.duty_locations
        ],
        "experienceRequirements": joa.specialized_experience,
        "qualifications": joa.qualifications,
    }
    if joa.closes_on:
        posting["validThrough"] = f"{joa.closes_on.isoformat()}T23:59:59"
    if action.work_arrangement == WorkArrangement.REMOTE:
        posting["jobLocationType"] = "TELECOMMUTE"
    return {key: value for key, value in posting.items() if value not in (None, "")}


def usajobs_export(joa: Announcement, *, url: str) -> dict:
    """The announcement in the field names of the USAJOBS Search API's MatchedObjectDescriptor
    (domain-research §6.1), so an agency can carry it into USAJOBS."""
    action = joa.action
    grades = sorted(action.grades)
    return {
        "PositionID": joa.number,
        "PositionTitle": action.title,
        "PositionURI": url,
        "ApplyURI": [url],
        "PositionLocationDisplay": action.duty_location,
        "PositionLocation": [{"LocationName": loc} for loc in action.duty_locations],
        "OrganizationName": action.agency.name,
        "DepartmentName": action.agency.name,
        "JobCategory": [{"Code": action.series}],
        "JobGrade": [{"Code": action.pay_plan}],
        "PositionSchedule": [{"Name": "Full-time"}],
        "PositionOfferingType": [{"Name": action.get_appointment_type_display()}],
        "QualificationSummary": joa.qualifications,
        "PublicationStartDate": joa.opens_on.isoformat() if joa.opens_on else None,
        "ApplicationCloseDate": joa.closes_on.isoformat() if joa.closes_on else None,
        "UserArea": {
            "Details": {
                "JobSummary": joa.summary,
                "MajorDuties": [line for line in joa.duties.splitlines() if line.strip()],
                "Evaluations": joa.evaluation,
                "LowGrade": f"{grades[0]:02d}" if grades else None,
                "HighGrade": f"{grades[-1]:02d}" if grades else None,
                "PromotionPotential": f"{action.full_performance_level:02d}",
                "TotalOpenings": str(action.vacancies),
                "TeleworkEligible": action.work_arrangement != WorkArrangement.ON_SITE,
                "RemoteIndicator": action.work_arrangement == WorkArrangement.REMOTE,
                "OtherInformation": "\n\n".join(
                    [joa.page_limit_statement, joa.categories_statement, joa.sharing_notice]
                ),
            },
        },
    }
