using System.Globalization;
using Microsoft.Extensions.Logging;
using VoiceBridge.Call;
using VoiceBridge.Engines.Realtime.Protocol;

namespace VoiceBridge.Engines.Realtime;

/// <summary>
/// Configuring and seeding a session (FAILOVER.md step 4): <c>session.update</c> (the instructions
/// with the older turns summarised into them, tools, audio out, <c>create_response:false</c> while
/// seeding), wait for <c>session.updated</c>; then the recent turns as <c>conversation.item.create</c>
/// with ids of our own, and wait until <c>conversation.item.added</c> (beta
/// <c>conversation.item.created</c>) came for every one; only then Ready, so that no caller audio and
/// no <c>response.create</c> goes before the history is in place. Each wait is bounded by
/// <see cref="RealtimeEngineOptions.ConfirmTimeout"/>; the socket ending first fails the start too.
/// </summary>
public sealed partial class RealtimeEngine
{
    private readonly object _startGate = new();
    private readonly HashSet<string> _unacknowledged = new(StringComparer.Ordinal);
    // Continuations run where the confirmation arrives (no thread-pool hop: on the virtual-time
    // loop, a hop would let the fake clock run past the timeout meanwhile); never under the lock.
    private readonly TaskCompletionSource _sessionUpdated = new();
    private readonly TaskCompletionSource _itemsAcknowledged = new();
    private readonly TaskCompletionSource<string> _endedBeforeReady = new();

    /// <summary>Ready was posted: from then on the socket's end is reported as Closed, before it as a failed start.</summary>
    private bool _ready;

    /// <summary>How the socket ended, when it did before Ready (set under the lock; <see cref="_endedBeforeReady"/> wakes the waits).</summary>
    private string? _ended;

    private async Task ConfigureAndSeedAsync(EngineStart start, CancellationToken cancellationToken)
    {
        var plan = RealtimeSeedPlan.For(start.Conversation, options.SeedItemTokens, options.SeedSummaryTokens);
        _instructions = plan.Instructions;
        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _lifetime.Token);
        Send(w => RealtimeClientWriter.WriteSessionUpdate(w, SessionConfig(start)));
        await ConfirmedAsync(_sessionUpdated.Task, "session.updated", waiting.Token);

        var items = SeedHistory(plan, start.Generation);
        await ConfirmedAsync(_itemsAcknowledged.Task, $"conversation.item.added for each of {items} history items", waiting.Token);
        lock (_startGate)
        {
            if (_ended is { } end)
            {
                throw Ended(end);
            }

            _ready = true;
        }

        var seeded = new HistorySeeding(plan.TurnsAsItems, plan.Summarised.Count, plan.Omitted);
        Log.Seeded(logger, options.Name, items, seeded.AsItems, seeded.Summarised, seeded.Omitted);
        await start.Events.PostAsync(new EngineEvent { Kind = EngineEventKind.Ready, Generation = start.Generation, Seeded = seeded });
    }

    private async Task ConfirmedAsync(Task confirmation, string what, CancellationToken cancellationToken)
    {
        Task first;
        try
        {
            first = await Task.WhenAny(confirmation, _endedBeforeReady.Task).WaitAsync(options.ConfirmTimeout, time, cancellationToken);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException(
                string.Create(CultureInfo.InvariantCulture, $"no {what} within {options.ConfirmTimeout.TotalMilliseconds:0} ms"), e);
        }

        if (first != confirmation)
        {
            throw Ended(_endedBeforeReady.Task.Result);
        }
    }

    private static IOException Ended(string end) => new($"the provider's connection ended before the session was ready: {end}");

    /// <summary>
    /// The plan's items, tool calls as call+output pairs, each with an id of ours to be
    /// acknowledged by; all are registered before the first goes out. Keys pressed that this
    /// session already had (or has now, in the summary) are not sent again. Returns how many went.
    /// </summary>
    private int SeedHistory(RealtimeSeedPlan plan, int generation)
    {
        foreach (var turn in plan.Summarised.Where(t => t.Dtmf is not null))
        {
            FirstTimeSent(turn);
        }

        var items = new List<RealtimeItem>();
        foreach (var entry in plan.Items)
        {
            var id = $"vb-seed-{generation}-{items.Count}";
            if (entry.Call is { } call)
            {
                items.Add(RealtimeItem.FunctionCall(call.CallId, call.Name, call.Arguments, id));
                items.Add(RealtimeItem.FunctionCallOutput(call.CallId, call.Output, $"vb-seed-{generation}-{items.Count}"));
            }
            else if (entry.Turn!.Dtmf is null || FirstTimeSent(entry.Turn))
            {
                items.Add(RealtimeItem.Message(entry.Turn.Role == TurnRole.Assistant ? RealtimeRole.Assistant : RealtimeRole.User, entry.Text, id));
            }
        }

        lock (_startGate)
        {
            _unacknowledged.UnionWith(items.Select(i => i.Id!));
        }

        if (items.Count == 0)
        {
            _itemsAcknowledged.TrySetResult();
        }

        foreach (var item in items)
        {
            Send(w => RealtimeClientWriter.WriteConversationItemCreate(w, item));
        }

        return items.Count;
    }

    /// <summary><c>conversation.item.added</c>: one of the seeded items is in the provider's conversation.</summary>
    private void OnItemAdded(string? itemId)
    {
        bool all;
        lock (_startGate)
        {
            all = itemId is not null && _unacknowledged.Remove(itemId) && _unacknowledged.Count == 0;
        }

        if (all)
        {
            _itemsAcknowledged.TrySetResult();
        }
    }

    /// <summary>
    /// The socket ended: before Ready the start fails (its waits end now rather than at their
    /// timeout, and the start's failure is what the call session hears); true when it did.
    /// </summary>
    private bool EndedBeforeReady(string end)
    {
        lock (_startGate)
        {
            if (_ready)
            {
                return false;
            }

            _ended = end;
        }

        _endedBeforeReady.TrySetResult(end);
        return true;
    }
}
