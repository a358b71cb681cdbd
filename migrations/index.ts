/** Every migration, in order. Listed explicitly so tests, the CLI and the server load the same set. */
import { Foundation1763800000000 } from './1763800000000-Foundation';
import { RegistryAndEnrollment1763800100000 } from './1763800100000-RegistryAndEnrollment';
import { BulkWriteStatistics1763800200000 } from './1763800200000-BulkWriteStatistics';
import { SubsidiesAndRefunds1763800300000 } from './1763800300000-SubsidiesAndRefunds';
import { AuditLog1763800400000 } from './1763800400000-AuditLog';
import { Progress1763800500000 } from './1763800500000-Progress';
import { ImportThroughput1763800600000 } from './1763800600000-ImportThroughput';
import { StatusLookupFunction1763800700000 } from './1763800700000-StatusLookupFunction';
import { HouseholdGraphFunction1763800800000 } from './1763800800000-HouseholdGraphFunction';
import { StatisticsForRosters1763800900000 } from './1763800900000-StatisticsForRosters';
import { CountyYear1763801000000 } from './1763801000000-CountyYear';
import { MoneyKeptWhole1763801100000 } from './1763801100000-MoneyKeptWhole';
import { AuditReads1763801200000 } from './1763801200000-AuditReads';
import { PolicyYearVersions1763801300000 } from './1763801300000-PolicyYearVersions';
import { PolicyVersionRecorded1763801310000 } from './1763801310000-PolicyVersionRecorded';
import { StatusLookupAsksIndexOnDemand1763801400000 } from './1763801400000-StatusLookupAsksIndexOnDemand';
import { StatusLookupIdentitiesWhenDue1763801500000 } from './1763801500000-StatusLookupIdentitiesWhenDue';
import { StoredMessagesInChinese1763801510000 } from './1763801510000-StoredMessagesInChinese';
import { CitusReady1763801600000 } from './1763801600000-CitusReady';
import { StatusLookupSetsTenant1763801700000 } from './1763801700000-StatusLookupSetsTenant';
import { AuditLogOneIndex1763801710000 } from './1763801710000-AuditLogOneIndex';
import { ShardStatisticsInTransaction1763801800000 } from './1763801800000-ShardStatisticsInTransaction';
import { StatusLookupReadsWhatIsDue1763801900000 } from './1763801900000-StatusLookupReadsWhatIsDue';
import { HouseholdSummaryGraph1763802000000 } from './1763802000000-HouseholdSummaryGraph';
import { AuditRecordFunction1763802100000 } from './1763802100000-AuditRecordFunction';
import { PaidDailyStripes1763802200000 } from './1763802200000-PaidDailyStripes';
import { ReadsWithoutTransaction1763802300000 } from './1763802300000-ReadsWithoutTransaction';
import { StatusLookupPaidFirst1763802400000 } from './1763802400000-StatusLookupPaidFirst';
import { BatchRowsWithoutTenantKey1763802500000 } from './1763802500000-BatchRowsWithoutTenantKey';
import { ReopenedEnrollmentCountedOnce1763802600000 } from './1763802600000-ReopenedEnrollmentCountedOnce';
import { RefundsNumbered1763802700000 } from './1763802700000-RefundsNumbered';
import { ReimbursementsOfEndedEnrolments1763802800000 } from './1763802800000-ReimbursementsOfEndedEnrolments';
import { AmountsVersionKept1763802900000 } from './1763802900000-AmountsVersionKept';
import { StatusLookupPaidAnswersWhatIsShown1763803000000 } from './1763803000000-StatusLookupPaidAnswersWhatIsShown';
import { OneLiveGrant1763803100000 } from './1763803100000-OneLiveGrant';
import { TargetsKeptWithTheirDays1763803200000 } from './1763803200000-TargetsKeptWithTheirDays';
import { WaitsSayWhyStillOpen1763803500000 } from './1763803500000-WaitsSayWhyStillOpen';
import { BatchRowsKeepPolicyVersion1763803700000 } from './1763803700000-BatchRowsKeepPolicyVersion';
import { StatusLookupsTogether1763803800000 } from './1763803800000-StatusLookupsTogether';
import { BatchOutcomesPerCall1763803900000 } from './1763803900000-BatchOutcomesPerCall';
import { PaymentsWithoutBatchIndex1763804000000 } from './1763804000000-PaymentsWithoutBatchIndex';
import { SchemeIndexEntriesInsertedPlainly1763804300000 } from './1763804300000-SchemeIndexEntriesInsertedPlainly';
import { SchemeIndexEntriesWithoutSubtransaction1763804400000 } from './1763804400000-SchemeIndexEntriesWithoutSubtransaction';

export const MIGRATIONS = [
  Foundation1763800000000,
  RegistryAndEnrollment1763800100000,
  BulkWriteStatistics1763800200000,
  SubsidiesAndRefunds1763800300000,
  AuditLog1763800400000,
  Progress1763800500000,
  ImportThroughput1763800600000,
  StatusLookupFunction1763800700000,
  HouseholdGraphFunction1763800800000,
  StatisticsForRosters1763800900000,
  CountyYear1763801000000,
  MoneyKeptWhole1763801100000,
  AuditReads1763801200000,
  PolicyYearVersions1763801300000,
  PolicyVersionRecorded1763801310000,
  StatusLookupAsksIndexOnDemand1763801400000,
  StatusLookupIdentitiesWhenDue1763801500000,
  StoredMessagesInChinese1763801510000,
  CitusReady1763801600000,
  StatusLookupSetsTenant1763801700000,
  AuditLogOneIndex1763801710000,
  ShardStatisticsInTransaction1763801800000,
  StatusLookupReadsWhatIsDue1763801900000,
  HouseholdSummaryGraph1763802000000,
  AuditRecordFunction1763802100000,
  PaidDailyStripes1763802200000,
  ReadsWithoutTransaction1763802300000,
  StatusLookupPaidFirst1763802400000,
  BatchRowsWithoutTenantKey1763802500000,
  ReopenedEnrollmentCountedOnce1763802600000,
  RefundsNumbered1763802700000,
  ReimbursementsOfEndedEnrolments1763802800000,
  AmountsVersionKept1763802900000,
  StatusLookupPaidAnswersWhatIsShown1763803000000,
  OneLiveGrant1763803100000,
  TargetsKeptWithTheirDays1763803200000,
  WaitsSayWhyStillOpen1763803500000,
  BatchRowsKeepPolicyVersion1763803700000,
  StatusLookupsTogether1763803800000,
  BatchOutcomesPerCall1763803900000,
  PaymentsWithoutBatchIndex1763804000000,
  SchemeIndexEntriesInsertedPlainly1763804300000,
  SchemeIndexEntriesWithoutSubtransaction1763804400000,
];
