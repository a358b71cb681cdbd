import { type Localized, text } from '../common/i18n';
import { type Fen, formatMoney, ratioDividesExactly, splitByRatio } from '../common/money';
import type { FundingNodeData } from './format';
import { FUNDING_SOURCES, type FundingSource } from './vocabulary';

export interface FundingShare {
  source: FundingSource;
  name: string;
  amount: Fen;
  clause: string;
  /** Set when who pays this share is a reading of the notice rather than its words: why. */
  inferred?: string;
}

export interface Allocation {
  shares: FundingShare[];
  /** Why the amounts do not add up; empty when the split is exact. */
  problems: Localized[];
}

/**
 * Turns a funding tree from a tenant file into exact fen shares of `total`. Parts either state their
 * amount (at most one part may leave it out and take the rest) or share their parent's amount by `ratio`.
 * A part inherits the clause and the `inferred` mark of the node above it, so a reading made at any level
 * (平利's 市 half split 1:9) reaches every share below it.
 */
export function allocateFunding(nodes: readonly FundingNodeData[], total: Fen, clause: string, ratio?: readonly number[], inferred?: string): Allocation {
  const shares: FundingShare[] = [];
  const problems: Localized[] = [];
  let amounts: Fen[];
  if (ratio) {
    if (ratio.length !== nodes.length) {
      problems.push(
        text(
          `比例 ${ratio.join(':')} 有 ${ratio.length} 项，分担方却有 ${nodes.length} 个`,
          `ratio ${ratio.join(':')} has ${ratio.length} terms for ${nodes.length} parts`,
        ),
      );
      return { shares, problems };
    }
    if (nodes.some((n) => n.amount !== undefined)) problems.push(text('按比例分担的各方不应再写金额', 'parts split by ratio must not state an amount'));
    if (!ratioDividesExactly(total, ratio)) {
      problems.push(
        text(
          `${formatMoney(total)} 元按 ${ratio.join(':')} 分担不能精确到分，已取整`,
          `${formatMoney(total)} does not divide ${ratio.join(':')} into whole fen; rounded`,
        ),
      );
    }
    amounts = splitByRatio(total, ratio);
  } else {
    const stated = nodes.reduce((sum, n) => sum + (n.amount ?? 0), 0);
    const open = nodes.filter((n) => n.amount === undefined);
    if (open.length > 1) problems.push(text('不止一个分担方未写金额（最多一个可取余额）', 'more than one part leaves its amount out'));
    if (open.length === 0 && stated !== total) {
      problems.push(
        text(`各方金额合计 ${formatMoney(stated)} 元，不等于 ${formatMoney(total)} 元`, `parts add up to ${formatMoney(stated)}, not ${formatMoney(total)}`),
      );
    }
    if (stated > total)
      problems.push(
        text(
          `各方金额合计 ${formatMoney(stated)} 元，超过 ${formatMoney(total)} 元`,
          `parts add up to ${formatMoney(stated)}, more than ${formatMoney(total)}`,
        ),
      );
    amounts = nodes.map((n) => n.amount ?? Math.max(total - stated, 0));
  }
  nodes.forEach((node, index) => {
    const amount = amounts[index];
    const nodeClause = node.clause ?? clause;
    const nodeInferred = node.inferred ?? inferred;
    if (node.parts) {
      const inner = allocateFunding(node.parts, amount, nodeClause, node.ratio, nodeInferred);
      shares.push(...inner.shares);
      problems.push(...inner.problems);
    } else if (node.source) {
      const share: FundingShare = { source: node.source, name: node.name ?? FUNDING_SOURCES[node.source], amount, clause: nodeClause };
      if (nodeInferred) share.inferred = nodeInferred;
      shares.push(share);
    } else {
      problems.push(text(`分担方“${node.name ?? index}”既没有 source 也没有 parts`, `part "${node.name ?? index}" has neither a source nor parts`));
    }
  });
  return { shares, problems };
}
