namespace VoiceBridge.Call.Tools;

/// <summary>
/// What a tool may do to the call it runs in (the built-in <c>hangup</c> and <c>transfer</c>).
/// The call session implements it: a request is posted to the session's input queue and carried
/// out on the call's loop, once what the agent is saying has been heard (the leg echoed the marks
/// of everything played), bounded by <see cref="CallControlOptions.DrainTimeout"/>.
/// The first request of a call wins; later ones are refused.
/// </summary>
public interface ICallControl
{
    /// <summary>Ends the call once the caller has heard what the agent is saying.</summary>
    ValueTask<CallControlResult> RequestHangUpAsync(string reason, CancellationToken cancellationToken);

    /// <summary>
    /// Transfers the call to <paramref name="target"/> (E.164 number or <c>sip:</c> URI; null: the
    /// configured default) once the caller has heard what the agent is saying. A target that is
    /// malformed or not allowed (<see cref="CallControlOptions"/>) is refused with an error the model can read.
    /// </summary>
    ValueTask<CallControlResult> RequestTransferAsync(string? target, string reason, CancellationToken cancellationToken);

    /// <summary>Presses <paramref name="digits"/> (already normalized) toward the caller's side now; refused when the leg cannot signal keys.</summary>
    CallControlResult SendDigits(string digits);
}

/// <summary>The answer to a call-control request: accepted (with the normalized target of a transfer), or refused with why.</summary>
public sealed record CallControlResult(bool Accepted, string? Target = null, string? Error = null)
{
    public static CallControlResult Refused(string error) => new(false, null, error);
}

/// <summary>Where the built-in call-control tools may send a call, and how long they wait.</summary>
public sealed class CallControlOptions
{
    /// <summary>
    /// Targets the <c>transfer</c> tool may use besides <see cref="DefaultTransferTarget"/> (E.164
    /// numbers such as <c>+15551234567</c>, or <c>sip:</c> URIs) [none].
    /// </summary>
    public IList<string> AllowedTransferTargets { get; set; } = [];

    /// <summary>Where <c>transfer</c> sends a call when the model names no target [none: a target is required].</summary>
    public string? DefaultTransferTarget { get; set; }

    /// <summary>Longest wait for the agent's words to be heard before a hang-up or transfer goes ahead anyway [10 s].</summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// After a transfer the carrier ends the media stream itself (Twilio stops it once the call
    /// runs the new TwiML); if it has not within this time, the bridge closes its side [10 s].
    /// </summary>
    public TimeSpan TransferStreamEndTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// <c>VOICEBRIDGE_TRANSFER_TO</c> (the default target) and <c>VOICEBRIDGE_TRANSFER_TARGETS</c>
    /// (more allowed targets, comma-separated).
    /// </summary>
    public static CallControlOptions FromEnvironment(Func<string, string?>? env = null)
    {
        env ??= Environment.GetEnvironmentVariable;
        return new CallControlOptions
        {
            DefaultTransferTarget = env("VOICEBRIDGE_TRANSFER_TO") is { Length: > 0 } target ? target.Trim() : null,
            AllowedTransferTargets = [.. (env("VOICEBRIDGE_TRANSFER_TARGETS") ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)],
        };
    }

    /// <summary>Every configured target that is not one (E.164 or sip: URI), named.</summary>
    public IReadOnlyList<string> Validate() =>
        [.. AllowedTransferTargets.Append(DefaultTransferTarget ?? "").Where(t => !string.IsNullOrWhiteSpace(t))
            .Select(t => TransferTarget.TryNormalize(t, out _, out var error) ? null : $"transfer target: {error}")
            .OfType<string>()];

    /// <summary>Checks <paramref name="target"/> (null or blank: the default) and returns the normalized target, or why it is refused.</summary>
    public CallControlResult Check(string? target)
    {
        if (string.IsNullOrWhiteSpace(target))
        {
            if (string.IsNullOrWhiteSpace(DefaultTransferTarget))
            {
                return CallControlResult.Refused("no transfer target was given and none is configured; transfer is not available, offer to take a message instead");
            }

            target = DefaultTransferTarget;
        }

        if (!TransferTarget.TryNormalize(target, out var normalized, out var error))
        {
            return CallControlResult.Refused(error);
        }

        var allowed = AllowedTransferTargets.Append(DefaultTransferTarget ?? "")
            .Select(t => TransferTarget.TryNormalize(t, out var n, out _) ? n : null)
            .Any(n => string.Equals(n, normalized, StringComparison.OrdinalIgnoreCase));
        return allowed
            ? new CallControlResult(true, normalized)
            : CallControlResult.Refused($"'{target}' is not a transfer target this line may use{AllowedList()}");
    }

    private string AllowedList()
    {
        var all = AllowedTransferTargets.Append(DefaultTransferTarget ?? "").Where(t => !string.IsNullOrWhiteSpace(t)).Distinct().ToList();
        return all.Count == 0 ? "" : $" (allowed: {string.Join(", ", all)})";
    }
}
