using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;

namespace VoiceBridge.Engines.Cascade.Llm;

/// <summary>What the scripted dialog says next: text, then optionally a tool call.</summary>
internal sealed record DialogDecision(string Text, FunctionCallContent? Call = null);

/// <summary>
/// The scripted dialog's state, rebuilt from the whole message history on every request, so a
/// conversation begun by another engine is honoured: slots come from every caller message and
/// every tool call's arguments, and a tool result is answered whoever called the tool. Only the
/// caller's words and tool calls and results count; what assistants said does not.
/// </summary>
internal sealed partial class DialogState(DialogScript script, Func<string, bool> toolOffered)
{
    private readonly Dictionary<string, string> _slots = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _callNames = new(StringComparer.Ordinal);
    private DialogIntent? _task;
    private bool _taskDone;
    private string? _pending;
    private int _calls;

    private bool TaskActive => _task is not null && !_taskDone;

    /// <summary>The reply to the last caller message or tool result of <paramref name="messages"/>.</summary>
    public static DialogDecision Decide(DialogScript script, IEnumerable<ChatMessage> messages, Func<string, bool> toolOffered)
    {
        var state = new DialogState(script, toolOffered);
        DialogDecision? last = null;
        foreach (var message in messages)
        {
            if (message.Role == ChatRole.System)
            {
                continue;
            }

            var hadResult = false;
            foreach (var content in message.Contents)
            {
                if (content is FunctionCallContent call)
                {
                    state.OnCall(call);
                    last = null;
                }
                else if (content is FunctionResultContent result)
                {
                    last = state.OnResult(result);
                    hadResult = true;
                }
            }

            if (message.Role == ChatRole.User && (!hadResult || message.Text.Length > 0))
            {
                last = state.OnUser(message.Text);
            }
            else if (message.Role == ChatRole.Assistant && message.Text.Length > 0)
            {
                last = null;
            }
        }

        return last ?? state.Resume();
    }

    private DialogDecision OnUser(string text)
    {
        if (ConversationMessages.IsUnrecognised(text))
        {
            return new(script.Reprompt);
        }

        if (Call.DtmfText.TryParse(text, out var digits))
        {
            // Keys fill no slot and start no task: acknowledged, then the dialog goes on where it was.
            var ack = script.Dtmf.Replace("{digits}", digits, StringComparison.Ordinal);
            return new($"{ack} {Resume().Text}".Trim());
        }

        var words = Normalize(text);
        var intent = script.Intents.FirstOrDefault(i => i.Patterns.Any(p => p.IsMatch(words)));
        var filled = Fill(words, allowAnswers: intent is null);
        if (intent is { IsTask: true })
        {
            var started = intent != _task || _taskDone;
            if (started && _taskDone)
            {
                ClearTransientSlots(except: filled);
            }

            _task = intent;
            _taskDone = false;
            return Advance(started);
        }

        if (TaskActive && filled.Overlaps(_task!.Slots))
        {
            return Advance(started: false);
        }

        if (intent is not null && Render(intent.Reply) is { } reply)
        {
            if (!TaskActive)
            {
                return new(reply);
            }

            var next = Advance(started: false);
            return next with { Text = $"{reply} {next.Text}".Trim() };
        }

        return TaskActive ? Advance(started: false) : new(script.Fallback);
    }

    private void OnCall(FunctionCallContent call)
    {
        _calls++;
        _callNames[call.CallId] = call.Name;
        foreach (var (key, value) in call.Arguments ?? new Dictionary<string, object?>())
        {
            if (script.Slots.FirstOrDefault(s => s.Name == key) is { } slot && AsText(value) is { Length: > 0 } text)
            {
                _slots[key] = Format(slot, text);
            }
        }

        if (!TaskActive && script.Intents.FirstOrDefault(i => i.Tool == call.Name) is { } intent)
        {
            _task = intent;
            _taskDone = false;
        }

        _pending = null;
    }

    private DialogDecision? OnResult(FunctionResultContent result)
    {
        var name = _callNames.GetValueOrDefault(result.CallId);
        var intent = _task?.Tool == name ? _task : script.Intents.FirstOrDefault(i => name is not null && i.Tool == name);
        if (intent is null)
        {
            return null;
        }

        _task = intent;
        if (MissingSlot() is { } missing)
        {
            _taskDone = false;
            _pending = missing;
            return new(script.Slot(missing).Ask);
        }

        _taskDone = true;
        _pending = null;
        var output = AsText(result.Result) ?? "";
        return new((intent.Confirm is null ? null : Render(intent.Confirm, output)) ?? Render(intent.Reply) ?? script.Fallback);
    }

    /// <summary>Nothing new from the caller: ask again what the task still needs, or offer help.</summary>
    private DialogDecision Resume() =>
        TaskActive && _pending is not null ? new(script.Slot(_pending).Ask) : new(script.Fallback);

    private DialogDecision Advance(bool started)
    {
        var task = _task!;
        var prefix = started && task.Start is not null ? task.Start + " " : "";
        if (MissingSlot() is { } missing)
        {
            _pending = missing;
            return new(prefix + script.Slot(missing).Ask);
        }

        _pending = null;
        if (task.Tool is { } tool && toolOffered(tool))
        {
            var arguments = task.ToolArguments.ToDictionary(a => a.Key, a => (object?)(Render(a.Value) ?? ""));
            var checking = task.Checking is null ? "" : Render(task.Checking) ?? "";
            return new((prefix + checking).Trim(), new FunctionCallContent($"call_scripted_{_calls + 1}", tool, arguments));
        }

        _taskDone = true;
        return new(prefix + (Render(task.Reply) ?? script.Fallback));
    }

    private string? MissingSlot() => _task!.Slots.FirstOrDefault(s => !_slots.ContainsKey(s));

    /// <summary>Fills slots from the caller's words; answer patterns only for the slot just asked for.</summary>
    private HashSet<string> Fill(string words, bool allowAnswers)
    {
        var filled = new HashSet<string>(StringComparer.Ordinal);
        foreach (var slot in script.Slots)
        {
            if (FirstValue(slot.Patterns, words) is { } value)
            {
                _slots[slot.Name] = Format(slot, value);
                filled.Add(slot.Name);
            }
        }

        if (allowAnswers && filled.Count == 0 && _pending is not null)
        {
            var slot = script.Slot(_pending);
            if (FirstValue(slot.AnswerPatterns, words) is { } answer)
            {
                _slots[slot.Name] = Format(slot, answer);
                filled.Add(slot.Name);
            }
        }

        return filled;
    }

    private void ClearTransientSlots(HashSet<string> except)
    {
        foreach (var slot in script.Slots.Where(s => !s.Keep && !except.Contains(s.Name)))
        {
            _slots.Remove(slot.Name);
        }
    }

    private static string? FirstValue(IEnumerable<Regex> patterns, string words)
    {
        foreach (var pattern in patterns)
        {
            var match = pattern.Match(words);
            if (match.Success)
            {
                var group = match.Groups.Values.Skip(1).FirstOrDefault(g => g.Success && g.Length > 0);
                return (group ?? match).Value.Trim();
            }
        }

        return null;
    }

    private static string Format(DialogSlot slot, string value) => slot.Format == "title"
        ? string.Join(' ', value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(w => char.ToUpperInvariant(w[0]) + w[1..]))
        : value;

    /// <summary>Lower case; punctuation other than <c>'</c> and <c>:</c> becomes space; single spaces.</summary>
    private static string Normalize(string text) =>
        Spaces().Replace(Punctuation().Replace(text.ToLowerInvariant(), " "), " ").Trim();

    private static string? AsText(object? value) => value switch
    {
        null => null,
        string s => s,
        JsonElement { ValueKind: JsonValueKind.String } e => e.GetString(),
        JsonElement e => e.GetRawText(),
        _ => JsonSerializer.Serialize(value),
    };

    [GeneratedRegex(@"[^\w\s':]")]
    private static partial Regex Punctuation();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();
}
