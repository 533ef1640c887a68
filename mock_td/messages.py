"""Every error, warning and textport text mock_td produces, in one place.

Each text is a ``str.format`` template; the call site fills the named fields, e.g.
``tdError(msg.INVALID_OP.format(path=path))``. Texts that copy TouchDesigner's own wording say so
(``TD:``); the others are mock_td's and aim to say what went wrong and what to do.
``tests/mock_internals/test_messages.py`` checks that every template is used and that every call
site fills exactly the fields its template names.
"""

# ---- the session and the world --------------------------------------------------------------------
NOT_INSTALLED = "mock_td is not installed: call mock_td.install() first"
WORLD_NOT_WIRED = "This mock_td world was not created by mock_td.install(), so it has no td namespace or run() hook"
SESSION_REPLACED = "This Session is no longer installed: mock_td.install() was called again"
INSTALL_COOK_RATE = "install(cook_rate): the cook rate must be positive, not {cook_rate!r}"
ADVANCE_NEGATIVE = "advance(frames): frames must be >= 0, not {frames!r}"
ADVANCE_SECONDS_NEGATIVE = "advance_seconds(seconds): seconds must be >= 0, not {seconds!r}"
ADVANCE_UNTIL_BAD_LIMIT = "advance_until(): {name} must be positive or None, not {value!r}"
ADVANCE_UNTIL_FRAMES = (
    "advance_until(): the condition was still false after max_frames={max_frames} frames ({seconds:g} s of TD time, "
    "now at frame {frame}); raise max_frames if the work needs more TD time"
)
ADVANCE_UNTIL_TIMEOUT = (
    "advance_until(): the condition was still false after timeout={timeout:g} s of wall time ({frames} frames played, "
    "now at frame {frame}); is the worker thread stuck, or does it need a longer timeout?"
)
CRASH_WITHOUT_SAVE = (
    "Warning: Session.crash(): the project was never saved since install(), so TouchDesigner starts on a new "
    "project; call project.save() (or Session.reload()) before the crash to reopen your network"
)
UNTAKEN_SCRIPT_EXCEPTIONS = (
    "{count} script exception(s) were raised inside TD callbacks (or reported by a component with addScriptError) "
    "and not acknowledged (call td_session.take_script_exceptions() to check them):\n{details}"
)
UNTAKEN_SCRIPT_EXCEPTION_ITEM = "{op_path} ({where}):\n{traceback}"

# ---- textport ---------------------------------------------------------------------------------------
TEXTPORT_TRACEBACK = "Traceback in {path} ({where}):\n{traceback}"
TEXTPORT_DEBUG = "{text} ({file} line {line})"
SCRIPT_ERROR_LINE = "{type}: {error}"
REPORTED_SCRIPT_ERROR = "Script error added with addScriptError: {message}\nReported at (most recent call last):\n{stack}"
STORAGE_NOT_SAVED = "Warning: storage key '{key}' of {path} could not be saved: {error}"
STORAGE_TD_OBJECT = "a td.{type} cannot be saved with the project (store an OP, or plain Python data such as a path)"
STARTUP_VALUE_NOT_SAVED = "Warning: startup value '{key}' of {path} could not be saved: {error}"

# ---- not modelled -----------------------------------------------------------------------------------
NOT_MODELLED = "mock_td does not model {symbol}: it exists in TouchDesigner but has no headless emulation"
NOT_MODELLED_DOC = "{symbol}: not modelled by mock_td (raises NotImplementedError)."

# ---- generic TD errors ------------------------------------------------------------------------------
INVALID_OP = "Invalid OP object: {path}"  # TD
NO_ATTRIBUTE = "'td.{cls}' object has no attribute '{name}'"  # TD
READ_ONLY_ATTRIBUTE = "'td.{cls}' attribute '{name}' is read only"

# ---- run queue --------------------------------------------------------------------------------------
RUN_GONE = "Run object is no longer valid: it has already executed or been killed"

# ---- parameters -------------------------------------------------------------------------------------
PAR_UNKNOWN_STYLE = "Unknown parameter style {style!r}"
PAR_DESTROYED = "Invalid Par object: {name} (it was destroyed)"
PAR_CUSTOM_ONLY = "Par.{member} can only be set on custom parameters, not on built-in {name!r}"
PAR_NOT_A_NUMBER = "Invalid value {value!r} for parameter {name} ({style}): expected a number"
PAR_NOT_A_TOGGLE = "Invalid value {value!r} for toggle parameter {name}: use True or False"
PAR_MENU_INDEX = "Menu index {index} out of range for parameter {name} ({count} items)"
PAR_MENU_VALUE = "Invalid menu value {value!r} for parameter {name}: expected one of {names}"
PAR_WRONG_FAMILY = "Parameter {name} only accepts {family}s, not {path} ({got})"
PAR_MODE_TYPE = "Par.mode must be a ParMode, not {value!r}"
PAR_BIND_NOT_WRITABLE = (
    "Cannot set bind reference {name}: its bind expression {expr!r} gives {master!r}, which is not a Par, "
    "a Cell, a Dependency or an (object, 'attribute') tuple"
)
PAR_RENAME_TAKEN = "Cannot rename parameter {name!r} to {new!r}: that name is already used on {path}"
HINT_RENAME_GROUP = "rename the whole group with ParGroup.name"
HINT_RENAME_BLOCK = "sequence block parameters take their names from the sequence"
PAR_NOT_AN_INTEGER = "Parameter {name} does not hold an integer"
HINT_BUILTIN_PAR = "a built-in parameter TD documents for this operator type"
HINT_NO_EXPORTS = "CHOP exports are not emulated"
HINT_IMMEDIATE_PULSES = "only immediate pulses are emulated"
CUSTOM_PAR_NAME = (
    "Invalid custom parameter name {name!r}: it must start with one uppercase letter followed only by "
    "lowercase letters or digits (for example {suggestion!r})"
)
PARGROUP_DESTROYED = "Invalid ParGroup object: {name} (it was destroyed)"
PARGROUP_CUSTOM_ONLY = "ParGroup.{member} can only be set on custom parameters, not on built-in {name!r}"
PARGROUP_SIZE = "ParGroup {name} has {size} parameters, got {count} values"
PARGROUP_BUILTIN_DESTROY = (
    "Cannot destroy built-in parameter {name!r}: only custom or sequence parameters can be destroyed"
)
NO_CUSTOM_PAGE = "No custom page named {page!r} on {path}"
PAGE_DESTROYED = "Invalid Page object: {name} (it was destroyed)"
PAGE_CUSTOM_ONLY = "Page.{member} only works on custom pages, not on built-in page {name!r}"
PAR_EXISTS_NO_REPLACE = "Parameter {name!r} already exists on {path} (pass replace=True to replace it)"
SEQ_DESTROYED = "Invalid Sequence object: {name} (it was destroyed)"
SEQ_RENAME_TAKEN = "Cannot rename sequence {name!r} to {new!r}: that name is already used"
SEQ_NEGATIVE = "Sequence {name!r}: {member} cannot be negative ({value})"
SEQ_MAX_BLOCKS = "Sequence {name!r} allows at most {max} blocks, not {count}"
SEQ_BLOCK_SIZE_SHORT = "Sequence {name!r}: blockSize {size} needs {size} parameters after the header on page {page!r}, found {found}"
SEQ_GROUP_TAKEN = "Sequence {name!r}: {group!r} already belongs to a sequence"
SEQ_INDEX_RANGE = "Sequence {name!r}: block index {index} out of range 0..{last}"
SEQ_INDEX = "Sequence {name!r}: block index {index!r} out of range (numBlocks={count})"
SEQ_FULL = "Sequence {name!r} already has its maximum of {max} blocks"
SEQ_MOVE = "Sequence {name!r}: cannot move {num} blocks from index {index}"
SEQ_REORDER_REPEATED = "Sequence {name!r}: reorderBlocks got a repeated index in {indexes}"
SEQ_SORT_BOTH = "sortBlocks: give either key or baseName, not both"
SEQ_SORT_NEITHER = "sortBlocks: give a key function or a baseName to sort by"
SEQ_SORT_NO_PAR = "sortBlocks: sequence {name!r} has no block parameter {base!r}"
SEQ_NO_BLOCK_PARS = (
    "Cannot {what} on sequence {name!r}: it has no block parameters yet (append them after the header, then set blockSize)"
)
SEQ_NO_BLOCK_NAME = "Sequence {name!r} has no block name parameter ({base})"
BLOCK_DESTROYED = "Invalid SequenceBlock object (the block was destroyed)"
HINT_BLOCK_SIZE_CHANGE = "changing a non-zero block size is not emulated"
PAR_EXISTS = "Parameter {name!r} already exists on {path}"

# ---- operators --------------------------------------------------------------------------------------
ROOT_RENAME = "The root component cannot be renamed"
ROOT_DESTROY = "The root component cannot be destroyed"
OP_NAME_INVALID = "Invalid name '{name}': use letters, digits and underscores, not starting with a digit"
OP_NAME_TAKEN = "Name '{name}' is already used in {path}"
OP_PATTERN_INVALID = "op(): invalid pattern {pattern!r}"
OP_PATTERN_TYPE = "op(): expected a path, pattern or id, not {type}"
OPEX_NO_MATCH = "opex(): no OP matches {patterns} from {path}"
DOCK_TYPE = "dock must be an OP or None"
DOCK_NETWORK = "An OP can only be docked to another OP in the same network"
ALLOW_COOKING_COMP_ONLY = "Only COMPs can turn allowCooking off"
NOT_COOKING = "{member}() can only be called while the OP is cooking"
COPY_INTO_ITSELF = "Cannot copy {path} into itself"
EXTENSION_INDEX = "initializeExtensions({index}): no such extension block; {path} has {count} extension block(s)"
EXTENSION_INITIALIZING = "Cannot use an extension during its initialization"  # TD
DAT_COPY_TYPE = "DAT.copy() needs a DAT to copy from, not {what!r}"
HINT_TEXT_CLEAR = "a text DAT has no cells to blank"
DAT_TEXT_NOT_SETTABLE = "text is not settable on this DAT"
HINT_TD_TIME_ONLY = "mock_td has only TD time"
OP_TYPE_INVALID = "Invalid OP type: {name}"
HINT_OP_TYPE = "operator type not modelled; supported types are {types}"
MOD_NO_DAT = "mod: no DAT at '{path}'"
WHY_NO_GLOBAL_SHORTCUT = "no COMP has the Global OP Shortcut '{name}'"
WHY_NO_PARENT_SHORTCUT = "no parent of {path} has the Parent Shortcut '{name}'"
WHY_NO_IOP = "no internal OP shortcut '{name}' above {path}"
WHY_IOP_UNRESOLVED = "its internal OP does not resolve"
WHY_NO_EXTENSION = "no extension named '{name}' at or above {path}"
STORAGE_KEY_MISSING = "Key '{key}' not found in storage of {path}"
CELL_OUTSIDE = "Invalid Cell object: row {row}, col {col} is outside the table"
TABLE_KEY_TYPE = "{what} must be an int index or a name, not {key!r}"
TABLE_NO_ROW = "{path}: no row {key!r} (numRows={count})"
TABLE_NO_COL = "{path}: no column {key!r} (numCols={count})"
TABLE_INDEX_FORM = "Table DATs are indexed with [row, col]"
TABLE_SIZE_NEGATIVE = "setSize: sizes cannot be negative ({rows}, {cols})"
CHANNEL_GONE = "Invalid Channel object: {name} (it was removed from its CHOP)"
CHANNEL_SCRIPT_ONLY = "Channel.{member} can only be changed in a Script CHOP, not in {type}"
CHANNEL_LENGTH = "Channel {name}: got {got} values for {samples} samples (set numSamples first)"
CHANNEL_EMPTY = "Channel {name} has no samples"
CHOP_SCRIPT_ONLY = "CHOP.{member} can only be set on a Script CHOP, not on {type}"
CHOP_SAMPLES_NEGATIVE = "numSamples cannot be negative ({count})"
CHOP_ARRAY_SHAPE = "copyNumpyArray needs a 2D array (numChans, numSamples), got shape {shape}"
CHOP_ARRAY_DTYPE = "{member} needs a float32 numpy array, not {dtype} (use array.astype(numpy.float32))"
CHANNEL_ARRAY_SHAPE = "Channel {name}: copyNumpyArray needs shape ({samples},), got {shape}"
HINT_NO_NUMPY = "numpy is not installed"

# ---- libraries --------------------------------------------------------------------------------------
MODULE_NO_ATTRIBUTE = "module '{module}' has no attribute '{name}'"
TDF_NO_MENU_ITEM = "getMenuLabel: the value of menu parameter {par} is not one of its items"
TDF_NO_MENU_LABEL = "setMenuLabel: menu parameter {par} has no item labelled {label!r} (labels: {labels})"
STORE_ITEM_NAME = "StorageManager: every stored item needs a 'name' string, got {item!r}"
STORE_ITEM_KEYS = "StorageManager: stored item {name!r} has unknown keys {unknown}; use {keys}"
STORE_LOCKED_SET = "StorageManager is locked: {key!r} is not one of its stored items ({items}); declare it in storedItems"
STORE_LOCKED_DELETE = "StorageManager is locked: cannot delete stored item {key!r}"
STORE_NOT_SAVABLE = "StorageManager: the {what} cannot be stored ({error}); store plain Python data, e.g. an OP's path"
STORE_NOT_AN_ITEM = "{name!r} is not a stored item of this StorageManager"

# ---- the td module ----------------------------------------------------------------------------------
RUN_SCRIPT_TYPE = "run(): script must be a string of Python code, not {type}"
RUN_DELAY_REF = "run(): delayRef must be an OP"
RUN_NEGATIVE_DELAY = "run(): delays cannot be negative"
HINT_PASSIVE = "a Script CHOP cooks when its data is read; mock_td has no passive version of it"
COOK_RATE_POSITIVE = "project.cookRate must be positive"
HINT_FRAMES_ON_ADVANCE = "mock_td only runs frames when Session.advance() is called"

# ---- the Web Server DAT (operators/webserver_dat.py) ------------------------------------------------
HINT_NO_TLS = "TLS (secure) is not emulated; turn secure off to serve HTTP on mock_td"
WEBSERVER_PORT_FAILED = "Web Server could not listen on port {port}: {error}"
WEBSERVER_TEXTPORT = "{path}: {text}"
WS_RESERVED_BITS = "reserved bits set"
WS_NOT_MASKED = "client frames must be masked"
WS_BAD_CONTROL = "bad control frame"
WS_TOO_BIG = "message too big"
WS_LONE_CONTINUATION = "continuation without a message"
WS_NESTED_MESSAGE = "new message inside a fragmented one"
WS_UNKNOWN_OPCODE = "unknown opcode {opcode}"
WS_NOT_UTF8 = "text message is not UTF-8"
WS_CONNECTION_CLOSED = "connection closed"
WS_SERVER_STOPPED = "server stopped"
WS_CLOSED_BY_SERVER = "closed by the server"
