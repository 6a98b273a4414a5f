import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { AUDIT_STREAM, baseDashboard, lokiLogs, tempoTable, textVariable } from './panels.js';

/** Every tool call of one conversation, in order: the audit records from Loki and the spans from Tempo. */
export function conversationTimeline(): dashboard.Dashboard {
  return baseDashboard(
    'tooltrail-conversation',
    'tooltrail / Conversation timeline',
    'What the agent did in one conversation, turn by turn',
  )
    .withVariable(textVariable('conversation', 'Conversation id'))
    .withPanel(
      lokiLogs(
        'Tool calls in conversation $conversation',
        `${AUDIT_STREAM} | gen_ai_conversation_id="$conversation" | json | line_format "turn {{.turn}} {{.tool}} success={{.success}} {{.duration_ms}}ms by {{.user}} ({{.trigger}})"`,
      ),
    )
    .withPanel(
      tempoTable(
        'Tool spans in conversation $conversation',
        '{ span.gen_ai.conversation.id = "$conversation" && span.gen_ai.operation.name = "execute_tool" }',
      ),
    )
    .build();
}
