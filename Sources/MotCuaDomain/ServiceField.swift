/// The field of an administrative procedure (lĩnh vực).
public enum ServiceField: String, CaseIterable, Sendable, Hashable {
  case civilStatus = "CIVIL_STATUS"
  case land = "LAND"
  case construction = "CONSTRUCTION"
  case planning = "PLANNING"
  case investment = "INVESTMENT"
  case businessRegistration = "BUSINESS_REGISTRATION"
  case certification = "CERTIFICATION"
  case labourSocialAffairs = "LABOUR_SOCIAL_AFFAIRS"
  case residence = "RESIDENCE"
  case transport = "TRANSPORT"
  case education = "EDUCATION"
  case health = "HEALTH"
  case other = "OTHER"
}
