Feature: Monitoring provisioning
  The tutorial's closing outcomes: Synchronization Details show the progress of the cycles
  and link to the provisioning logs. A job whose calls keep failing is quarantined: cycles
  slow down and the Notification Email gets one email. Restart runs a new initial cycle;
  accidental deletions prevention holds mass deletes back; provision on demand runs one
  user at once (entra §2-3).

  Background:
    Given the directory has the users "Britta Simon", "Carl Jones" and "Dana Lee"

  @tutorial @conformance
  Scenario: Synchronization Details show the initial cycle and the statistics to date
    Given "LinkedIn Elevate" is set up for automatic provisioning to the SCIM target
    And the admin assigns the users "Britta Simon" and "Carl Jones" with the role "User"
    When the admin sets Provisioning Status to On and saves
    Then Synchronization Details show:
      | Status           | Active  |
      | Current cycle    | Initial |
      | Percent complete | 100     |
      | Users            | 2       |
      | Groups           | 0       |
      | Created          | 2       |
      | Failed           | 0       |
    And the Current Status reads "Initial cycle completed: 100% complete"
    When 40 minutes pass
    Then Synchronization Details show:
      | Current cycle | Incremental |
      | Steady state  | Yes         |
      | Created       | 2           |

  Scenario: A cycle takes 0.01 to 0.08 minutes per object, and the next starts 40 minutes after it ends
    # application-provisioning-when-will-provisioning-finish-specific-user: "Minimum minutes
    # = 0.01 x [Number of assigned users, groups, and group members]", "Maximum minutes =
    # 0.08 x ..." (EngineSettings.minutes_per_object, drawn per cycle from the seed)
    Given "LinkedIn Elevate" is set up for automatic provisioning to the SCIM target
    And the admin assigns the users "Britta Simon", "Carl Jones" and "Dana Lee" with the role "User"
    When the admin sets Provisioning Status to On and saves
    Then the last cycle took between 0.01 and 0.08 minutes per object
    And the next cycle is due 40 minutes after the last one ended

  @tutorial @conformance
  Scenario: The provisioning logs show each step of a create
    Given "LinkedIn Elevate" is set up for automatic provisioning to the SCIM target
    And the admin assigns the user "Britta Simon" with the role "User"
    When the admin sets Provisioning Status to On and saves
    Then the provisioning logs show a "Create" entry for "Britta Simon" with status "Success"
    # S12 concept-provisioning-logs: import, match between source and target, determine
    # whether in scope, provision.
    And the provisioning log entry for "Britta Simon" has the steps:
      | step                        | status  |
      | EntryImport                 | Success |
      | EntrySynchronizationAdd     | Success |
      | EntrySynchronizationScoping | Success |
      | EntryExportAdd              | Success |
    And the provisioning log entry for "Britta Simon" shows "IsEffectivelyEntitledForProvisioning" as "True"

  Scenario: Log entries name the provisioning service, the app and its service principal
    # Graph's provisioningObjectSummary list example.
    Given "LinkedIn Elevate" is set up for automatic provisioning to the SCIM target
    And the admin assigns the user "Britta Simon" with the role "User"
    When the admin sets Provisioning Status to On and saves
    Then the provisioning log entry for "Britta Simon" was initiated by "Azure AD Provisioning Service"
    And the provisioning log entry for "Britta Simon" names the service principal "LinkedIn Elevate"
    And a step of the provisioning log entry for "Britta Simon" reads "was created in LinkedIn Elevate"

  Scenario: Provisioning logs are kept for 30 days
    Given "LinkedIn Elevate" is set up for automatic provisioning to the SCIM target
    And the admin assigns the user "Britta Simon" with the role "User"
    When the admin sets Provisioning Status to On and saves
    And 29 days pass
    Then the provisioning logs show a "Create" entry for "Britta Simon" with status "Success"
    When 2 days pass
    Then the provisioning logs have no entry for "Britta Simon"

  @errors
  Scenario: A failed member update is a reference failure: it does not count toward quarantine
    # S4: "Reference failures won't be counted as part of the 40% threshold or 40,000 threshold."
    Given the directory has the group "Sales" with the members "Britta Simon" and "Carl Jones"
    And "LinkedIn Elevate" is set up for automatic provisioning to the SCIM target
    And the admin assigns the group "Sales" with the role "User"
    And the escrow thresholds are scaled by 0.0001
    And the admin sets Provisioning Status to On and saves
    And the SCIM endpoint answers "PATCH /Groups/*" with HTTP 500
    When "Carl Jones" is removed from the group "Sales"
    And 40 minutes pass
    Then the provisioning logs show a failure for "Sales" with the error code "InternalServerError"
    And provisioning is not quarantined

  Scenario: The audit log shows the configuration saved, provisioning started and restarted
    # S5 "Audit logs": the activity each action is logged under.
    Given "LinkedIn Elevate" is set up for automatic provisioning to the SCIM target
    When the admin sets Provisioning Status to On and saves
    And the admin restarts provisioning
    Then the audit log shows the activities:
      | activity                                   |
      | Update provisioning setting or credentials |
      | Enable/start provisioning configuration    |
      | Enable/restart provisioning configuration  |

  @errors @conformance
  Scenario: A Secret Token that stops working quarantines the job, with one email
    # The portal saves only a token that passes Test Connection (as vendors observe), so the
    # bad token is saved the way Graph's secrets API would: untested.
    Given "LinkedIn Elevate" is set up for automatic provisioning to the SCIM target
    And Save accepts untested credentials, as Microsoft documents no such rule
    And the admin assigns the user "Britta Simon" with the role "User"
    And the admin sets Provisioning Status to On and saves
    When the admin enters the Tenant URL of the SCIM target and the Secret Token "a-token-that-was-revoked"
    And clicks Save
    And the job title of "Britta Simon" changes to "Chief Tester" in Microsoft Entra ID
    And 40 minutes pass
    Then provisioning is quarantined with the reason "EncounteredQuarantineException"
    And Synchronization Details show:
      | Status            | Quarantine                     |
      | Quarantine reason | EncounteredQuarantineException |
    And the Current Status reads "Provisioning has been quarantined. See quarantine details for more information."
    And "admin@contoso.com" receives an email from "azure-noreply@microsoft.com" with the subject "Provisioning for LinkedIn Elevate has been quarantined"
    And the next attempt is 6 hours after the quarantine began
    When 6 hours pass
    Then provisioning is quarantined with the reason "EncounteredQuarantineException"
    And the next attempt is 12 hours after the quarantine began
    And 1 notification email has been sent
    When the admin enters the Tenant URL and Secret Token of the SCIM target
    And clicks Save
    And restarts provisioning
    Then provisioning is not quarantined
    And the SCIM target's user "Britta Simon" has "title" set to "Chief Tester"

  @errors @tutorial
  Scenario: Regenerating the token in Account Center quarantines the job until the new token is saved
    Given an Account Center admin adds a SCIM configuration "Entra ID" with auto-assign licenses on for 10 seats
    And the admin selects Generate token
    And "LinkedIn Elevate" is set up for automatic provisioning to the SCIM target
    And the admin assigns the user "Britta Simon" with the role "User"
    And the admin sets Provisioning Status to On and saves
    When the Account Center admin regenerates the token
    And the job title of "Britta Simon" changes to "Chief Tester" in Microsoft Entra ID
    And 40 minutes pass
    Then provisioning is quarantined with the reason "EncounteredQuarantineException"
    When the admin enters the Tenant URL "https://api.linkedin.com" and the Secret Token
    And clicks Test Connection
    And clicks Save
    And restarts provisioning
    Then provisioning is not quarantined
    And the SCIM target's user "Britta Simon" has "title" set to "Chief Tester"

  @errors
  Scenario: After four weeks in quarantine the job is disabled
    Given "LinkedIn Elevate" is set up for automatic provisioning to the SCIM target
    And the admin assigns the user "Britta Simon" with the role "User"
    And the admin sets Provisioning Status to On and saves
    And the SCIM endpoint answers "PATCH /Users/*" with HTTP 401
    When the job title of "Britta Simon" changes to "Chief Tester" in Microsoft Entra ID
    And 40 minutes pass
    Then provisioning is quarantined with the reason "EncounteredQuarantineException"
    When 29 days pass
    Then the provisioning job is disabled
    And 1 notification email has been sent

  @tutorial @conformance
  Scenario: Restart provisioning runs a new initial cycle and keeps what was provisioned
    Given "LinkedIn Elevate" is set up for automatic provisioning to the SCIM target
    And the admin assigns the users "Britta Simon" and "Carl Jones" with the role "User"
    And the admin sets Provisioning Status to On and saves
    When the admin restarts provisioning
    Then an initial cycle ran
    And the last cycle counted:
      | created | updated | failed |
      | 0       | 0       | 0      |
    # how-provisioning-works: the initial cycle "queries the target system for a matching
    # user"; a linked user is read by its id and, in sync, left alone.
    And the last cycle sent these SCIM requests:
      | method | resource            | status |
      | GET    | /Users/Britta Simon | 200    |
      | GET    | /Users/Carl Jones   | 200    |

  @tutorial @conformance
  Scenario: Accidental deletions prevention holds back more disables than the threshold
    Given "LinkedIn Elevate" is set up for automatic provisioning to the SCIM target
    And the admin assigns the users "Britta Simon", "Carl Jones" and "Dana Lee" with the role "User"
    And the admin turns accidental deletions prevention on with a threshold of 2
    And the admin sets Provisioning Status to On and saves
    When the admin removes the assignment of "Britta Simon"
    And the admin removes the assignment of "Carl Jones"
    And the admin removes the assignment of "Dana Lee"
    And 40 minutes pass
    Then provisioning is quarantined with the reason "TooManyDeletes"
    And the provisioning logs show 3 "StagedDelete" entries
    And the SCIM target's user "Britta Simon" is active
    And "admin@contoso.com" receives an email from "azure-noreply@microsoft.com" with the subject "Provisioning for LinkedIn Elevate has been quarantined"
    When the admin allows deletes
    Then the SCIM target's user "Britta Simon" is inactive
    And the SCIM target's user "Dana Lee" is inactive
    And provisioning is not quarantined

  @tutorial @conformance
  Scenario: With accidental deletions prevention off, every disable goes out
    Given "LinkedIn Elevate" is set up for automatic provisioning to the SCIM target
    And the admin assigns the users "Britta Simon", "Carl Jones" and "Dana Lee" with the role "User"
    And the admin turns accidental deletions prevention off
    And the admin sets Provisioning Status to On and saves
    When the admin removes the assignment of "Britta Simon"
    And the admin removes the assignment of "Carl Jones"
    And the admin removes the assignment of "Dana Lee"
    And 40 minutes pass
    Then provisioning is not quarantined
    And the last cycle counted:
      | disabled |
      | 3        |

  @tutorial @conformance
  Scenario: Up to the threshold, disables go out as usual
    Given "LinkedIn Elevate" is set up for automatic provisioning to the SCIM target
    And the admin assigns the users "Britta Simon", "Carl Jones" and "Dana Lee" with the role "User"
    And the admin turns accidental deletions prevention on with a threshold of 2
    And the admin sets Provisioning Status to On and saves
    When the admin removes the assignment of "Britta Simon"
    And the admin removes the assignment of "Carl Jones"
    And 40 minutes pass
    Then provisioning is not quarantined
    And the SCIM target's user "Carl Jones" is inactive

  @tutorial @conformance
  Scenario: Provision on demand provisions one user at once
    Given "LinkedIn Elevate" is set up for automatic provisioning to the SCIM target
    And the admin assigns the user "Britta Simon" with the role "User"
    When the admin provisions "Britta Simon" on demand
    Then provision on demand shows the steps:
      | step                                        | status  |
      | Import user                                 | Success |
      | Determine if user is in scope               | Success |
      | Match user between source and target system | Success |
      | Perform action                              | Success |
    And the SCIM target has the user "Britta Simon"

  @errors
  Scenario: Provision on demand picks up to five members of a larger group
    # provision-on-demand: "you can search for a group and pick up to five users".
    Given the directory has the users "Eve Adams", "Frank Ito" and "Gina Ruiz"
    And the directory has the group "Everyone" with the members "Britta Simon", "Carl Jones", "Dana Lee", "Eve Adams", "Frank Ito" and "Gina Ruiz"
    And "LinkedIn Elevate" is set up for automatic provisioning to the SCIM target
    And the admin assigns the group "Everyone" with the role "User"
    When the admin tries to provision "Everyone" on demand
    Then the portal refuses with "Provision on demand provisions up to 5 members of a group: pick up to 5 of the 6 members of 'Everyone'."
    When the admin tries to provision "Everyone" on demand, picking the members "Britta Simon", "Carl Jones", "Dana Lee", "Eve Adams", "Frank Ito" and "Gina Ruiz"
    Then the portal refuses with "Provision on demand provisions up to 5 members of a group; 6 were picked."
    When the admin provisions "Everyone" on demand, picking the members "Britta Simon" and "Gina Ruiz"
    Then the SCIM target has the group "Everyone" with the members "Britta Simon" and "Gina Ruiz"
    And the SCIM target has no user "Carl Jones"

  @errors
  Scenario: Provision on demand cannot find a user disabled or deleted in Entra
    # provision-on-demand: "Those users don't appear when you search for a user."
    Given "LinkedIn Elevate" is set up for automatic provisioning to the SCIM target
    And the admin assigns the users "Britta Simon" and "Carl Jones" with the role "User"
    And "Britta Simon" is deleted in Microsoft Entra ID
    And "Carl Jones" is disabled in Microsoft Entra ID
    When the admin tries to provision "Britta Simon" on demand
    Then the portal refuses with "No user 'Britta Simon' can be found: users disabled or deleted in Microsoft Entra ID don't appear in the search."
    When the admin tries to provision "Carl Jones" on demand
    Then the portal refuses with "No user 'Carl Jones' can be found: users disabled or deleted in Microsoft Entra ID don't appear in the search."
    And the SCIM target has no user "Britta Simon"
