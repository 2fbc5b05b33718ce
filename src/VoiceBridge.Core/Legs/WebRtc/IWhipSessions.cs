namespace VoiceBridge.Legs.WebRtc;

/// <summary>
/// The call side of the WHIP endpoint, implemented by whoever owns sockets and calls: the endpoint does
/// HTTP, authorisation and offer checking, and hands over only offers the leg can answer.
/// </summary>
public interface IWhipSessions
{
    /// <summary>
    /// Starts a session for a checked offer (build the answer with <see cref="WebRtcAnswerBuilder"/>).
    /// <paramref name="ct"/> is the HTTP request's abort token: the browser gave up waiting.
    /// </summary>
    Task<WhipSessionResult> CreateAsync(WebRtcOffer offer, CancellationToken ct);

    /// <summary>Ends the session <paramref name="id"/>; false when there is no such session (the endpoint answers 404).</summary>
    Task<bool> DeleteAsync(string id, CancellationToken ct);
}

/// <summary>A started session: its id (the last segment of the WHIP resource URL) and the SDP answer.</summary>
public sealed record WhipSessionResult(string Id, string AnswerSdp)
{
    /// <summary>Completes when the session has ended, so the endpoint can free its place under the call limits [none: freed at once].</summary>
    public Task? Completion { get; init; }
}
