/**
 * Per-workspace chat history in `workspaceState` (it survives reloads and stays with the workspace).
 * Bounded so a long-lived workspace does not grow its state without limit; the engine compresses what
 * it sends to models separately.
 */
import type * as vscode from 'vscode';
import type { ChatTurn } from '../protocol';

const KEY = 'keel.chat.history.v1';
const MAX_TURNS = 100;

export class ChatHistory {
  constructor(private readonly state: vscode.Memento) {}

  all(): ChatTurn[] {
    return this.state.get<ChatTurn[]>(KEY, []);
  }

  async upsert(turn: ChatTurn): Promise<void> {
    const turns = this.all().filter((t) => t.id !== turn.id);
    turns.push(turn);
    await this.state.update(KEY, turns.slice(-MAX_TURNS));
  }

  async clear(): Promise<void> {
    await this.state.update(KEY, []);
  }
}
