namespace VoiceBridge.Call;

public sealed partial class CallSession
{
    private ShadowRun? _shadow;

    /// <summary>
    /// Shadow mode (<see cref="CallSessionOptions.Shadow"/>): the shadow engine starts with the
    /// call, from the call's instructions and tools but a conversation of its own, built by
    /// <see cref="CallSessionOptions.ShadowFactory"/> outside the chain (it is never switched to).
    /// </summary>
    private void StartShadow()
    {
        if (_options.Shadow is not { } spec)
        {
            return;
        }

        _shadow = new ShadowRun(CallId, spec.Name, _audioLog, PostShadowEvent, _logger);
        var factory = _options.ShadowFactory;
        _shadow.Start(
            () => factory is null ? throw new InvalidOperationException("this deployment builds no shadow engines") : factory(spec, CallId),
            new Conversation(_options.Instructions), _tools.Definitions, NowMs, _stop.Token);
    }

    private ValueTask PostShadowEvent(Engines.EngineEvent engineEvent) =>
        _inputs.Writer.WriteAsync(new CallInput { Kind = CallInputKind.Shadow, Event = engineEvent });

    private async Task StopShadowAsync()
    {
        if (_shadow is { } shadow)
        {
            await shadow.DisposeAsync();
        }
    }

    /// <summary>The shadow's per-turn comparison (null without a shadow), each compared turn audited as <c>shadow-turn</c>.</summary>
    private ShadowComparison? CompareShadow()
    {
        if (_shadow is null)
        {
            return null;
        }

        var comparison = _shadow.Compare(Conversation);
        foreach (var row in comparison.Turns)
        {
            Audit("shadow-turn", row.Active.Engine, comparison.Engine, $"turn {row.Index}", new
            {
                turn = row.Index,
                startMs = row.StartMs,
                endMs = row.EndMs,
                wordErrorRate = row.WordErrorRate,
                active = Figures(row.Active),
                shadow = Figures(row.Shadow),
                shadowFailure = comparison.Failure,
            });
        }

        return comparison;
    }

    private static object Figures(ShadowSide side) => new
    {
        engine = side.Engine,
        transcript = side.Transcript,
        firstAudioLatencyMs = side.FirstAudioLatencyMs,
        responseAudioMs = side.ResponseAudioMs,
        responseWords = side.ResponseWords,
    };
}
