Feature: Attribute Mappings
  Tutorial step 15: review the user and group attribute mappings that flow from Microsoft
  Entra ID to LinkedIn Elevate. The Matching properties find the accounts and groups in
  LinkedIn for updates. Save any changes: the next cycle then re-evaluates every object.
  LinkedIn Elevate starts with the LinkedIn connector template: LinkedIn's SCIM attributes,
  matching on externalId, the one user attribute LinkedIn filters on (LinkedIn Learning
  provisioning tutorial). Non-gallery apps start with the generic SCIM template instead.

  Background:
    Given the directory has the user "Britta Simon" with:
      | job title  | Product Tester |
      | department | Quality        |
    And "LinkedIn Elevate" is set up for automatic provisioning to the SCIM target
    And the admin assigns the user "Britta Simon" with the role "User"

  @tutorial
  Scenario: Review the user attribute mappings
    When the admin opens the attribute mapping "Provision Microsoft Entra ID Users"
    Then the attribute mapping includes:
      | target attribute                                                      | source                                                      | matching precedence |
      | externalId                                                            | mailNickname                                                | 1                   |
      | userName                                                              | userPrincipalName                                           |                     |
      | active                                                                | Switch([IsSoftDeleted], , "False", "True", "True", "False") |                     |
      | displayName                                                           | displayName                                                 |                     |
      | title                                                                 | jobTitle                                                    |                     |
      | emails[type eq "work"].value                                          | mail                                                        |                     |
      | name.givenName                                                        | givenName                                                   |                     |
      | name.familyName                                                       | surname                                                     |                     |
      | addresses[type eq "work"].locality                                    | city                                                        |                     |
      | urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department | department                                                  |                     |
      | urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager    | manager                                                     |                     |
    And the matching property of "Provision Microsoft Entra ID Users" is "externalId"

  @tutorial
  Scenario: Review the group attribute mappings
    When the admin opens the attribute mapping "Provision Microsoft Entra ID Groups"
    Then the attribute mapping includes:
      | target attribute | source      | matching precedence |
      | displayName      | displayName | 1                   |
      | externalId       | objectId    |                     |
      | members          | members     |                     |
    And the matching property of "Provision Microsoft Entra ID Groups" is "displayName"

  @tutorial @conformance
  Scenario Outline: An expression mapping shapes what LinkedIn receives: <target>
    When the admin opens the attribute mapping "Provision Microsoft Entra ID Users"
    And maps the expression <expression> to "<target>"
    And saves the attribute mapping
    And sets Provisioning Status to On and saves
    Then the SCIM target's user "Britta Simon" has "<target>" set to "<value>"

    Examples:
      | expression                                                    | target                                                                | value             |
      | Join(".", [givenName], [surname])                             | displayName                                                           | Britta.Simon      |
      | ToUpper([department])                                         | title                                                                 | QUALITY           |
      | Switch([department], "Staff", "Quality", "QA", "Sales", "SA") | urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department | QA                |
      | Append([givenName], " at Contoso")                            | name.givenName                                                        | Britta at Contoso |
      | Coalesce([city], [state], "none")                             | addresses[type eq "work"].locality                                    | none              |

  @tutorial @conformance
  Scenario: A constant mapping gives every user the same value
    When the admin opens the attribute mapping "Provision Microsoft Entra ID Users"
    And maps the constant "Contoso" to "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department"
    And saves the attribute mapping
    And sets Provisioning Status to On and saves
    Then the SCIM target's user "Britta Simon" has "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department" set to "Contoso"

  @tutorial @conformance
  Scenario: Editing a mapping after the first sync updates every user at the next cycle
    Given the admin sets Provisioning Status to On and saves
    When the admin opens the attribute mapping "Provision Microsoft Entra ID Users"
    And maps the source attribute "department" to "title"
    And saves the attribute mapping
    And 40 minutes pass
    Then an initial cycle ran
    And the SCIM target's user "Britta Simon" has "title" set to "Quality"
    And the provisioning logs show an "Update" entry for "Britta Simon" with status "Success"

  @tutorial @conformance
  Scenario: The matching property finds the account LinkedIn already has
    Given the SCIM target already has a user with the externalId of "Britta Simon" and the userName "britta@linkedin.example"
    When the admin sets Provisioning Status to On and saves
    Then the last cycle counted:
      | created | updated |
      | 0       | 1       |
    And the provisioning logs show an "Update" entry for "Britta Simon" with status "Success"
    And the SCIM target's user "Britta Simon" has "displayName" set to "Britta Simon"

  @tutorial
  Scenario: Matching on userName as well finds an account LinkedIn has under another externalId
    # The tutorial: "If you choose to change the matching target attribute, you will need to
    # ensure that the LinkedIn Learning API supports filtering users based on that attribute."
    Given the SCIM target already has a user with the userName of "Britta Simon"
    When the admin opens the attribute mapping "Provision Microsoft Entra ID Users"
    And matches objects using "userName" with precedence 2
    And saves the attribute mapping
    And sets Provisioning Status to On and saves
    Then the last cycle counted:
      | created | updated |
      | 0       | 1       |
    And the SCIM target's user "Britta Simon" has the userName of "Britta Simon"

  @tutorial @conformance
  Scenario: A scoping filter provisions only the users it matches
    Given the directory has the user "Carl Jones" with:
      | department | Sales |
    And the admin assigns the user "Carl Jones" with the role "User"
    When the admin opens the attribute mapping "Provision Microsoft Entra ID Users"
    And adds the scoping filter "Quality only" where "department" EQUALS "Quality"
    And saves the attribute mapping
    And sets Provisioning Status to On and saves
    Then the SCIM target has the user "Britta Simon"
    And the SCIM target has no user "Carl Jones"
    And the provisioning logs show an "Other" entry for "Carl Jones" with status "Skipped" and the error code "OutOfScope"

  @errors
  Scenario: An expression with a syntax error is refused
    When the admin opens the attribute mapping "Provision Microsoft Entra ID Users"
    And tries to map the expression Join(".", [givenName] to "displayName"
    Then the portal refuses with "The expression for displayName is invalid."

  @errors
  Scenario: An expression reading an attribute that doesn't exist is refused
    When the admin opens the attribute mapping "Provision Microsoft Entra ID Users"
    And tries to map the expression ToUpper([favouriteColour]) to "title"
    Then the portal refuses with "reads [favouriteColour], which isn't a source attribute of this object."

  @errors
  Scenario: A user mapping needs a matching attribute
    When the admin opens the attribute mapping "Provision Microsoft Entra ID Users"
    And stops matching objects using "externalId"
    And tries to save the attribute mapping
    Then the portal refuses with "needs at least one attribute with "Match objects using this attribute" set to Yes"

  Scenario: The generic SCIM template of non-gallery apps matches on userName
    Given the admin adds "LinkedIn Elevate" from the gallery with the generic SCIM template as "LinkedIn Elevate (generic SCIM)"
    And "LinkedIn Elevate (generic SCIM)" is set up for automatic provisioning to the SCIM target
    And the admin assigns the user "Britta Simon" with the role "User"
    And the SCIM target already has a user with the userName of "Britta Simon"
    When the admin opens the attribute mapping "Provision Microsoft Entra ID Users"
    Then the attribute mapping includes:
      | target attribute                   | source            | matching precedence |
      | userName                           | userPrincipalName | 1                   |
      | externalId                         | mailNickname      |                     |
      | preferredLanguage                  | preferredLanguage |                     |
    And the matching property of "Provision Microsoft Entra ID Users" is "userName"
    When the admin sets Provisioning Status to On and saves
    Then the last cycle counted:
      | created | updated |
      | 0       | 1       |
