namespace VoiceBridge.Call;

/// <summary>
/// The call's live feed (<see cref="Events"/>): captions, the engine answering, switches and the
/// end, raised from the call loop without waiting on any watcher; and the operator's drill, a
/// failover forced on the current engine.
/// </summary>
public sealed partial class CallSession
{
    /// <summary>The call's live events (the demo page's captions and failovers).</summary>
    public CallEventFeed Events { get; } = new();

    /// <summary>
    /// Makes the current engine fail now, as a provider failure would (the call moves to the next
    /// engine and does not come back to this one), audited as a switch with reason <c>drill</c>.
    /// A drill is no evidence against the provider, so other calls' breakers are left alone.
    /// <paramref name="by"/>: who asked, kept in the audit's evidence.
    /// </summary>
    public ValueTask DrillAsync(string by, CancellationToken cancellationToken) =>
        _inputs.Writer.WriteAsync(new CallInput { Kind = CallInputKind.Drill, Text = by }, cancellationToken);

    private void OnDrill(string by)
    {
        if (_engine is null)
        {
            AddError($"drill by {by} ignored: no engine is answering");
            return;
        }

        Switch("drill", $"operator drill by {by}", shared: false);
    }

    private void RaiseCaption(ConversationTurn turn, bool final)
    {
        Events.Publish(new CallEvent(CallEventKind.Caption, NowMs)
        {
            Role = turn.Role == TurnRole.User ? "caller" : "agent", Engine = turn.Engine, Text = turn.Text, ItemId = turn.ItemId, Final = final,
        });
        if (final)
        {
            RaiseTurnBoundary();
        }
    }

    private void RaiseEngine(string engine)
    {
        MeterEngine(engine);
        Events.Publish(new CallEvent(CallEventKind.Engine, NowMs) { Engine = engine });
    }

    private void RaiseSwitch(SwitchRecord record)
    {
        MeterSwitch(record);
        Events.Publish(new CallEvent(CallEventKind.Switch, NowMs) { From = record.From, To = record.To, Reason = record.Reason, HandoffMs = record.HandoffMs });
    }

    private void RaiseEnded() => Events.Publish(new CallEvent(CallEventKind.Ended, NowMs));
}
