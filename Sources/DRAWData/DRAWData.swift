// DRAWData: loaders and image output.
import Foundation
