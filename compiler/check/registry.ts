/** Every semantic rule, in the order they run. */
import type { Rule } from "./rule.js";
import { argumentsRule } from "./rules/arguments.js";
import { concatRule } from "./rules/concat.js";
import { dataBindingRule } from "./rules/data-binding.js";
import { duplicateNamesRule } from "./rules/duplicate-names.js";
import { headChannelsRule } from "./rules/head-channels.js";
import { inputMatchesDataRule } from "./rules/input-matches-data.js";
import { inputRule } from "./rules/input.js";
import { lrMilestonesRule } from "./rules/lr-milestones.js";
import { membersRule } from "./rules/members.js";
import { settingsRule } from "./rules/settings.js";
import { shapesRule } from "./rules/shapes.js";
import { sharingGroupsRule } from "./rules/sharing-groups.js";
import { sharingRefinementRule } from "./rules/sharing-refinement.js";
import { sharingRowsRule } from "./rules/sharing-rows.js";
import { slpNothingToLearnRule } from "./rules/slp-nothing-to-learn.js";
import { slpRandomFromRule } from "./rules/slp-random-from.js";
import { trainWarmStartRule } from "./rules/train-warm-start.js";
import { slpScheduleRule } from "./rules/slp-schedule.js";
import { taskKindFitRule } from "./rules/task-kind-fit.js";
import { unknownNamesRule } from "./rules/unknown-names.js";
import { valueTypesRule } from "./rules/value-types.js";

export const RULES: readonly Rule[] = [
  membersRule,
  duplicateNamesRule,
  inputRule,
  inputMatchesDataRule,
  settingsRule,
  unknownNamesRule,
  argumentsRule,
  valueTypesRule,
  taskKindFitRule,
  headChannelsRule,
  concatRule,
  sharingRowsRule,
  sharingGroupsRule,
  sharingRefinementRule,
  slpScheduleRule,
  slpRandomFromRule,
  slpNothingToLearnRule,
  trainWarmStartRule,
  lrMilestonesRule,
  shapesRule,
  dataBindingRule,
];
