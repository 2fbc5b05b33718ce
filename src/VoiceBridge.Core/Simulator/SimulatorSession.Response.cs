using System.Text.Json;
using VoiceBridge.Engines.Realtime.Protocol;
using VoiceBridge.Faults;
using VoiceBridge.Media;

namespace VoiceBridge.Simulator;

internal sealed partial class SimulatorSession
{
    /// <summary>What the simulated account has left, as a real provider reports after each response.</summary>
    private static readonly RealtimeRateLimit[] RateLimits =
    [
        new("requests", 5000, 4999, 0.012),
        new("tokens", 40000, 38500, 2.25),
    ];

    private ActiveResponse? _response;

    /// <summary>
    /// Starts a response to the conversation so far: a scripted function call, or a spoken reply.
    /// <paramref name="instructions"/> (<c>response.instructions</c>) asking to continue a cut reply
    /// make it say the rest of its reply (see <see cref="Engines.Continuation"/>).
    /// </summary>
    private void StartResponse(string? instructions = null)
    {
        if (_response is not null)
        {
            SendError("invalid_request_error", "conversation_already_has_active_response",
                $"Conversation already has an active response in progress: {_response.Id}.");
            return;
        }

        _response = new ActiveResponse(NewId("resp"));
        _record.CountResponse();
        var plan = Plan();
        if (Engines.Continuation.HeardOf(instructions) is { } heard)
        {
            // Continuing a cut reply: nothing to add (no tool call either) when the caller heard a
            // whole sentence of another answer; the rest when the heard words are part of this one.
            var rest = Engines.Continuation.Remainder(heard, plan.Reply);
            plan = rest.Length == 0 ? ("", null, null) : plan.Tool is null ? plan with { Reply = rest } : plan;
        }

        _ = RunResponseAsync(_response, plan);
    }

    private (string Reply, string? Tool, string? Arguments) Plan()
    {
        var lastUser = _history.FindLast(i => i is { Type: RealtimeItemType.Message, Role: RealtimeRole.User });
        var (rule, reply) = _simulator.Options.Script.Answer(lastUser?.Text);
        var userIndex = lastUser is null ? -1 : _history.IndexOf(lastUser);
        var output = _history.Skip(userIndex + 1).LastOrDefault(i => i.Type == RealtimeItemType.FunctionCallOutput);
        if (output is not null)
        {
            return (reply.Replace("{output}", Speakable(output.Output), StringComparison.Ordinal), null, null);
        }

        if (rule?.Tool is { } tool && _config.Tools.Any(t => t.Name == tool))
        {
            return (reply, tool, rule.ToolArguments ?? "{}");
        }

        return (reply.Replace("{output}", "", StringComparison.Ordinal), null, null);
    }

    private async Task RunResponseAsync(ActiveResponse response, (string Reply, string? Tool, string? Arguments) plan)
    {
        lock (_gate)
        {
            Send(w => RealtimeServerWriter.WriteResponseCreated(w, EventId(), new RealtimeResponse(response.Id, RealtimeResponseStatus.InProgress, null, [])));
        }

        if (plan.Tool is not null)
        {
            lock (_gate)
            {
                CallTool(response, plan.Tool, plan.Arguments!);
            }

            return;
        }

        var audio = _simulator.Options.Synthesizer.SynthesizeMuLaw(plan.Reply);
        lock (_gate)
        {
            if (response.Cancelled)
            {
                return;
            }

            response.Item = new RealtimeItem
            {
                Id = NewId("item"), Type = RealtimeItemType.Message, Role = RealtimeRole.Assistant,
                Status = "in_progress", ContentType = RealtimeContentType.OutputAudio, Text = plan.Reply,
            };
            Send(w => RealtimeServerWriter.WriteOutputItemAdded(w, EventId(), response.Id, 0, response.Item));
            Send(w => RealtimeServerWriter.WriteContentPartAdded(w, EventId(), response.Id, response.Item.Id!, 0, 0));
        }

        response.Fault = _simulator.Faults.OnResponse();
        try
        {
            var slow = TimeSpan.Zero;
            if (response.Fault is { Kind: FaultKind.Slow } slowFault)
            {
                _simulator.Faults.Strike(slowFault);
                slow = TimeSpan.FromMilliseconds(slowFault.SlowMs);
            }

            await Task.Delay(_simulator.Options.FirstAudioDelay + slow, _time, response.Cancellation.Token);
            if (response.Fault is { Kind: FaultKind.StallResponse } stall)
            {
                // The response was created and never answers: the provider went quiet.
                _simulator.Faults.Strike(stall);
                return;
            }

            await StreamAudioAsync(response, audio, plan.Reply);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        lock (_gate)
        {
            if (!response.Cancelled)
            {
                FinishAudioResponse(response, plan.Reply);
            }
        }
    }

    private async Task StreamAudioAsync(ActiveResponse response, byte[] audio, string transcript)
    {
        var chunk = (int)CallClock.MsToSamples(_simulator.Options.DeltaAudioMs);
        var words = transcript.Split(' ');
        for (var offset = 0; offset < audio.Length; offset += chunk)
        {
            var n = Math.Min(chunk, audio.Length - offset);
            // As a real provider's transcript runs ahead of its audio, a word's text goes with the
            // chunk its audio begins in.
            var wordsBefore = (int)Math.Ceiling((double)words.Length * offset / audio.Length);
            var wordsAfter = (int)Math.Ceiling((double)words.Length * (offset + n) / audio.Length);
            lock (_gate)
            {
                if (response.Cancelled)
                {
                    return;
                }

                var item = response.Item!.Id!;
                // Under load (sim --load) a response's first delta carries a hop tag.
                var slice = offset == 0 && _load is not null ? Load.LoadProbe.Session.TagFirstDelta(audio.AsSpan(0, n)) : audio.AsMemory(offset, n);
                Send(w => RealtimeServerWriter.WriteOutputAudioDelta(w, EventId(), response.Id, item, 0, 0, slice.Span));
                if (wordsAfter > wordsBefore)
                {
                    var delta = string.Join(' ', words[wordsBefore..wordsAfter]) + " ";
                    Send(w => RealtimeServerWriter.WriteOutputAudioTranscriptDelta(w, EventId(), response.Id, item, 0, 0, delta));
                }
            }

            if (FaultStrikesNow(response, offset == 0, CallClock.SamplesToMs(offset + n)))
            {
                return;
            }

            await Task.Delay(_simulator.Options.DeltaInterval, _time, response.Cancellation.Token);
        }
    }

    /// <summary>A turn fault planned for this response strikes at its first delta or after an offset into its audio.</summary>
    private bool FaultStrikesNow(ActiveResponse response, bool firstDelta, long audioSentMs)
    {
        if (response.Fault is not { } fault || fault.Kind is FaultKind.Slow or FaultKind.StallResponse)
        {
            return false;
        }

        if (!FaultPlan.DueAt(fault, firstDelta, audioSentMs))
        {
            return false;
        }

        response.Fault = null;
        lock (_gate)
        {
            Execute(fault);
        }

        // A stalled or dead provider sends no more of this response.
        return true;
    }

    private void FinishAudioResponse(ActiveResponse response, string transcript)
    {
        var item = response.Item! with { Status = "completed" };
        var id = item.Id!;
        Send(w => RealtimeServerWriter.WriteOutputAudioDone(w, EventId(), response.Id, id, 0, 0));
        Send(w => RealtimeServerWriter.WriteOutputAudioTranscriptDone(w, EventId(), response.Id, id, 0, 0, transcript));
        Send(w => RealtimeServerWriter.WriteContentPartDone(w, EventId(), response.Id, id, 0, 0, transcript));
        Send(w => RealtimeServerWriter.WriteOutputItemDone(w, EventId(), response.Id, 0, item));
        Send(w => RealtimeServerWriter.WriteResponseDone(w, EventId(), new RealtimeResponse(response.Id, RealtimeResponseStatus.Completed, null, [item])));
        Send(w => RealtimeServerWriter.WriteRateLimitsUpdated(w, EventId(), RateLimits));
        _history.Add(item);
        _response = null;
        if (response.Fault is { When.Point: TurnPoint.Done } fault)
        {
            Execute(fault);
        }
    }

    private void CallTool(ActiveResponse response, string tool, string arguments)
    {
        var callId = NewId("call");
        var item = RealtimeItem.FunctionCall(callId, tool, arguments, NewId("item")) with { Status = "in_progress" };
        Send(w => RealtimeServerWriter.WriteOutputItemAdded(w, EventId(), response.Id, 0, item));
        Send(w => RealtimeServerWriter.WriteFunctionCallArgumentsDelta(w, EventId(), response.Id, item.Id!, 0, callId, arguments));
        Send(w => RealtimeServerWriter.WriteFunctionCallArgumentsDone(w, EventId(), response.Id, item.Id!, 0, callId, tool, arguments));
        var done = item with { Status = "completed" };
        Send(w => RealtimeServerWriter.WriteOutputItemDone(w, EventId(), response.Id, 0, done));
        Send(w => RealtimeServerWriter.WriteResponseDone(w, EventId(), new RealtimeResponse(response.Id, RealtimeResponseStatus.Completed, null, [done])));
        _history.Add(done);
        _response = null;
    }

    /// <summary>Server VAD barge-in or response.cancel: the response ends cancelled with what was sent.</summary>
    private void CancelResponse(string reason)
    {
        if (_response is not { } response)
        {
            return;
        }

        _response = null;
        response.Cancelled = true;
        response.Cancellation.Cancel();
        var output = new List<RealtimeItem>();
        if (response.Item is { } item)
        {
            // As the API does, the audio, transcript and content part are closed for a cancelled response
            // too; the transcript is all the text generated, which runs ahead of the audio sent.
            var (id, transcript) = (item.Id!, item.Text ?? "");
            Send(w => RealtimeServerWriter.WriteOutputAudioDone(w, EventId(), response.Id, id, 0, 0));
            Send(w => RealtimeServerWriter.WriteOutputAudioTranscriptDone(w, EventId(), response.Id, id, 0, 0, transcript));
            Send(w => RealtimeServerWriter.WriteContentPartDone(w, EventId(), response.Id, id, 0, 0, transcript));
            var incomplete = item with { Status = "incomplete" };
            Send(w => RealtimeServerWriter.WriteOutputItemDone(w, EventId(), response.Id, 0, incomplete));
            _history.Add(incomplete);
            output.Add(incomplete);
        }

        var details = new RealtimeStatusDetails("cancelled", reason);
        Send(w => RealtimeServerWriter.WriteResponseDone(w, EventId(), new RealtimeResponse(response.Id, RealtimeResponseStatus.Cancelled, details, output)));
    }

    /// <summary>A tool's JSON output as words: its string values (array items first), joined.</summary>
    private static string Speakable(string? json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json ?? "");
            var arrays = new List<string>();
            var all = new List<string>();
            Collect(doc.RootElement, false, arrays, all);
            var words = arrays.Count > 0 ? arrays : all;
            return string.Join(" and ", words);
        }
        catch (JsonException)
        {
            return json ?? "";
        }
    }

    private static void Collect(JsonElement e, bool inArray, List<string> arrays, List<string> all)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.String:
                (inArray ? arrays : all).Add(e.GetString()!);
                break;
            case JsonValueKind.Array:
                foreach (var x in e.EnumerateArray())
                {
                    Collect(x, true, arrays, all);
                }

                break;
            case JsonValueKind.Object:
                foreach (var p in e.EnumerateObject())
                {
                    Collect(p.Value, inArray, arrays, all);
                }

                break;
        }
    }

    private sealed class ActiveResponse(string id)
    {
        public string Id { get; } = id;

        public CancellationTokenSource Cancellation { get; } = new();

        public RealtimeItem? Item { get; set; }

        public bool Cancelled { get; set; }

        /// <summary>A turn fault planned for this response, until it strikes.</summary>
        public FaultSpec? Fault { get; set; }
    }
}
