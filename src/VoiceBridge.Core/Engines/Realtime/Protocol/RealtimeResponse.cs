namespace VoiceBridge.Engines.Realtime.Protocol;

/// <summary>Lifecycle status of a model response; <see cref="Unknown"/> for values this codec does not know.</summary>
public enum RealtimeResponseStatus
{
    Unknown,
    InProgress,
    Completed,
    Cancelled,
    Failed,
    Incomplete,
}

/// <summary>Why a response ended the way it did (<c>response.status_details</c>), kept as raw strings.</summary>
public sealed record RealtimeStatusDetails(
    string? Type,
    string? Reason,
    string? ErrorType = null,
    string? ErrorCode = null,
    string? ErrorMessage = null);

/// <summary>The <c>response</c> object of <c>response.created</c> and <c>response.done</c>.</summary>
public sealed record RealtimeResponse(
    string? Id,
    RealtimeResponseStatus Status,
    RealtimeStatusDetails? StatusDetails,
    IReadOnlyList<RealtimeItem> Output);

/// <summary>The <c>error</c> object of an <c>error</c> event (or a failed transcription).</summary>
public sealed record RealtimeError(string? Type, string? Code, string? Message, string? Param, string? EventId);

/// <summary>One entry of <c>rate_limits.updated</c>.</summary>
public sealed record RealtimeRateLimit(string Name, int Limit, int Remaining, double ResetSeconds);
